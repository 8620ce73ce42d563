/** Every test file runs with the node types registered, as every entry point does at start. */
import { registerComponents } from '../components/index.ts'

registerComponents()
