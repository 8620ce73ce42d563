// SANDBOX_TZ not set through the settings: the sandbox runs in UTC, even on a host set to Moscow
// time, and even with SANDBOX_TZ in the environment — the engine reads no environment.
process.env.TZ = 'Europe/Moscow'
process.env.SANDBOX_TZ = 'Asia/Tokyo'

import { expect, it } from 'vitest'
import { getSandbox } from '../../runtime/sandbox.ts'
import { loadSettings } from '../../server/settings.ts'

it('expressions and moment use UTC by default', async () => {
  const sandbox = await getSandbox()
  const [hours, formatted] = sandbox.evaluate([sandbox.compile('new Date(0).getHours()'), sandbox.compile("moment(0).format('YYYY-MM-DD HH:mm Z')")], {})
  expect(new Date(0).getHours()).toBe(3)
  expect(hours).toBe(0)
  expect(formatted).toBe('1970-01-01 00:00 +00:00')
})

it('an unknown zone name is a settings error; a known one is handed to the runtime', () => {
  expect(() => loadSettings({ SANDBOX_TZ: 'Mars/Olympus' })).toThrow(/SANDBOX_TZ: "Mars\/Olympus" is not a time zone name/)
  expect(loadSettings({ SANDBOX_TZ: 'Europe/Moscow' }).runtime.sandboxTimeZone).toBe('Europe/Moscow')
  expect(loadSettings({}).runtime.sandboxTimeZone).toBe('UTC')
})
