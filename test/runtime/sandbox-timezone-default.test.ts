// SANDBOX_TZ unset: the sandbox runs in UTC, even on a host set to Moscow time.
process.env.TZ = 'Europe/Moscow'
delete process.env.SANDBOX_TZ

import { expect, it } from 'vitest'
import { getSandbox } from '../../runtime/sandbox.ts'
import { sandboxTimeZone } from '../../runtime/sandbox/timeZone.ts'

it('expressions and moment use UTC by default', async () => {
  const sandbox = await getSandbox()
  const [hours, formatted] = sandbox.evaluate([sandbox.compile('new Date(0).getHours()'), sandbox.compile("moment(0).format('YYYY-MM-DD HH:mm Z')")], {})
  expect(new Date(0).getHours()).toBe(3)
  expect(hours).toBe(0)
  expect(formatted).toBe('1970-01-01 00:00 +00:00')
})

it('an unknown zone name is a settings error', () => {
  expect(() => sandboxTimeZone({ SANDBOX_TZ: 'Mars/Olympus' })).toThrow(/SANDBOX_TZ: "Mars\/Olympus" is not a time zone name/)
})
