#!/usr/bin/env node
// potok's command line. TypeScript sources run through tsx's loader: no build step.
import { register } from 'tsx/esm/api'

register()
await import('../server/cli/main.ts')
