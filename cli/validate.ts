/** `potok validate <files…>`: exit 0 when every scenario is valid, else 1 with every problem listed. */
import { defineCommand } from 'citty'
import { validateScenario } from '../runtime/index.ts'
import { CliError, readJsonFile, withCliErrors } from './files.ts'

export const validateCommand = defineCommand({
  meta: { name: 'validate', description: 'Validate scenario files; lists every problem with file and JSON path.' },
  args: { files: { type: 'positional', description: 'scenario JSON files', required: true } },
  run: ({ args }) =>
    withCliErrors(async () => {
      const files = args._.length ? args._ : [args.files]
      let invalid = 0
      for (const file of files) {
        let document: unknown
        try {
          document = await readJsonFile(file)
        } catch (error) {
          if (!(error instanceof CliError)) throw error
          process.stdout.write(`${error.message}\n`)
          invalid++
          continue
        }
        const result = validateScenario(document)
        if (result.ok) {
          process.stdout.write(`${file}: valid\n`)
          continue
        }
        invalid++
        for (const problem of result.problems) process.stdout.write(`${file}: ${problem.path}: ${problem.message}\n`)
      }
      if (invalid) process.stdout.write(`${invalid} of ${files.length} file(s) invalid\n`)
      return invalid ? 1 : 0
    }),
})
