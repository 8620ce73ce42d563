/**
 * flows/order-summary.json end to end: an order posted as multipart/form-data with a
 * spreadsheet goes through a real potok server, «Конвертер» reads the sheet, and «Отправка
 * почты» delivers the summary to a real SMTP server started here through the "mail" connection.
 */
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { startSmtp, type TestSmtp } from '../mail/smtp.ts'
import { startServer, type TestServer } from './helpers.ts'

const PASSWORD = 'orders-smtp-password'
let smtp: TestSmtp
let server: TestServer

beforeAll(async () => {
  smtp = await startSmtp({ user: 'orders@example.com', password: PASSWORD })
  process.env.MAIL_PASSWORD = PASSWORD
  server = await startServer()
  const mail = { name: 'Outgoing mail', type: 'smtp', config: { host: '127.0.0.1', port: smtp.port, secure: false, user: 'orders@example.com' }, secrets: { password: { env: 'MAIL_PASSWORD' } } }
  expect((await server.api('PUT', '/api/v1/connections/mail', mail)).status).toBe(200)
})
afterAll(async () => {
  await server?.close()
  await smtp?.close()
  delete process.env.MAIL_PASSWORD
})

async function spreadsheet(): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('Заказ')
  sheet.addRow(['Артикул', 'Количество', 'Цена'])
  sheet.addRow(['A-1', 2, 100.5])
  sheet.addRow(['B-7', 1, 49.9])
  return Buffer.from(await book.xlsx.writeBuffer())
}

function order(file: Buffer, name = 'order.xlsx'): FormData {
  const form = new FormData()
  form.set('order', 'A-17')
  form.set('email', 'ann@example.com')
  form.set('file', new Blob([new Uint8Array(file)], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), name)
  return form
}

describe('flows/order-summary.json', () => {
  test('a posted order is converted, totalled and mailed with its spreadsheet', async () => {
    const file = await spreadsheet()
    const response = await server.call('/api/webrequest/order-summary', { method: 'POST', body: order(file) })
    const body = await response.json()
    expect(response.status, JSON.stringify(body)).toBe(201)
    expect(body).toMatchObject({ order: 'A-17', lines: 2, total: 250.9 })

    const { envelope, mail } = smtp.received.at(-1)!
    expect(envelope).toEqual({ from: 'orders@example.com', to: ['ann@example.com', 'sales@example.com'] })
    expect(mail.subject).toBe('Заказ A-17: 250.9')
    expect(mail.text).toContain('A-1: 2 × 100.5')
    expect(mail.text).toContain('Итого: 250.9')
    expect(mail.html).toContain('<h1>Заказ A-17</h1>')
    expect(mail.attachments).toHaveLength(1)
    expect(mail.attachments[0]!.filename).toBe('order.xlsx')
    expect(Buffer.compare(mail.attachments[0]!.content, file)).toBe(0)
    expect(body.messageId).toBe(mail.messageId)

    const [process] = (await server.processes()).filter((p) => p.scenario.id === 'order-summary')
    expect(process!.status).toBe('completed')
    expect(JSON.stringify(process)).not.toContain(PASSWORD)
  })

  test("a file that is not a workbook is answered 422 with the converter's error", async () => {
    const response = await server.call('/api/webrequest/order-summary', { method: 'POST', body: order(Buffer.from('just text'), 'order.txt') })
    expect(response.status).toBe(422)
    expect((await response.json()).error).toMatchObject({ code: 'CONVERT_INVALID_DOCUMENT' })
  })
})
