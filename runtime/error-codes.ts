/**
 * Every error code potok produces, with the HTTP status it answers and what it means: a
 * `PotokError` takes its status from here, so a throw site names only the failure, and
 * `docs/errors.md` is this table (a test keeps the two equal and checks that every code thrown
 * in the source is listed).
 *
 * The status is the answer when the error refuses a request. A process that fails answers 500
 * (504 when it ran out of time) with its error's code, whatever the code's own status: the
 * process failed, not the request (docs/server.md). Codes not listed — a scenario's own `errorEnd`
 * code, a code thrown by scenario code — answer 500.
 *
 * @example
 * new PotokError('NOT_FOUND', 'process p1 does not exist').status // 404
 */
export interface ErrorCodeEntry {
  /** HTTP status of an answer carrying this code. */
  readonly status: number
  /** What went wrong, in one line. */
  readonly meaning: string
  /**
   * Set when the status is someone else's answer, passed on (`PotokErrorOptions.status`);
   * `status` above is then only the fallback. Says whose it is.
   */
  readonly relayed?: string
}

export const ERROR_CODES = {
  // The request itself
  BAD_REQUEST: { status: 400, meaning: 'The request is malformed: not valid HTTP, or a query or body that does not have the expected form' },
  INVALID_JSON: { status: 400, meaning: 'The body is not the JSON document the route needs' },
  INVALID_BODY: { status: 400, meaning: 'The body cannot be read (a malformed multipart body) or is not the shape the route needs' },
  BODY_TOO_DEEP: { status: 400, meaning: 'The JSON body nests deeper than MAX_BODY_DEPTH' },
  CLIENT_CLOSED: { status: 400, meaning: 'The client closed the connection before its body was read' },
  INVALID_IDEMPOTENCY_KEY: { status: 400, meaning: 'The idempotency key is longer than 255 characters' },
  INVALID_QUERY: { status: 400, meaning: 'A query parameter of a record search is not valid' },
  INVALID_CURSOR: { status: 400, meaning: 'The list cursor is not one this server issued' },
  INVALID_BPMN: { status: 400, meaning: 'The BPMN document is missing, not well-formed XML, refused (DTDs, entities) or not one BPMN process' },
  UNAUTHORIZED: { status: 401, meaning: "Credentials are missing or wrong (the admin token, or the external request's auth)" },
  FORBIDDEN: { status: 403, meaning: "The server refuses the request (an HTTP 403 raised below potok's routes)" },
  NOT_FOUND: { status: 404, meaning: 'No such route, external request (urlId), scenario, process or other stored item' },
  METHOD_NOT_ALLOWED: { status: 405, meaning: 'The route does not take this method' },
  NOT_ACCEPTABLE: { status: 406, meaning: 'The server cannot answer in a form the request accepts' },
  REQUEST_TIMEOUT: { status: 408, meaning: "The request's headers or body did not arrive within HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS" },
  CONFLICT: { status: 409, meaning: 'The item exists already, or changed meanwhile; try again' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, meaning: 'A request with this idempotency key is still being processed' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is over its size limit (MAX_BODY_BYTES)' },
  BPMN_TOO_LARGE: { status: 413, meaning: 'The BPMN document has more bytes or elements than allowed' },
  FILE_TOO_LARGE: { status: 413, meaning: 'A file is larger than MAX_FILE_BYTES' },
  URI_TOO_LONG: { status: 414, meaning: 'The request URI is longer than the server takes' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: "The body's content type is not one the route reads" },
  VALIDATION_FAILED: { status: 422, meaning: 'The document is invalid; details.problems lists each problem by path' },
  UNPROCESSABLE_ENTITY: { status: 422, meaning: "The request is well-formed but cannot be processed (an HTTP 422 raised below potok's routes)" },
  INVALID_SCENARIO: { status: 422, meaning: 'The scenario does not validate, so it cannot run; details.problems lists why' },
  INVALID_FLOWS: { status: 422, meaning: 'A scenario, catalog or connection file in FLOWS_DIR is invalid; the start stops with the problems listed' },
  RATE_LIMITED: { status: 429, meaning: "The external request's rateLimit is reached; retry after details.retryAfter seconds" },
  TOO_MANY_REQUESTS: { status: 429, meaning: "Too many requests (an HTTP 429 raised below potok's routes)" },
  TOO_MANY_AUTH_FAILURES: { status: 429, meaning: 'This client sent wrong credentials too often; retry after details.retryAfter seconds' },
  TOO_MANY_PROCESSES: { status: 429, meaning: 'MAX_CONCURRENT_PROCESSES processes are running already; retry shortly' },
  HEADERS_TOO_LARGE: { status: 431, meaning: "The request headers are over the server's limit" },

  // Processes, as the management API sees them
  ALREADY_RUNNING: { status: 409, meaning: 'The process is already running on this server' },
  NOT_RESUMABLE: { status: 409, meaning: 'The process cannot be resumed: it is not interrupted or failed, has no snapshot, or its scenario version is gone' },
  NOT_CANCELLABLE: { status: 409, meaning: 'The process cannot be cancelled: it is not queued or running' },
  INVALID_SNAPSHOT: { status: 422, meaning: 'The snapshot is not one of a potok process that can be resumed' },
  ASYNC_UNAVAILABLE: { status: 503, meaning: 'This server runs no asynchronous executor' },
  WORKERS_UNAVAILABLE: { status: 503, meaning: 'No process worker could be started' },
  SHUTDOWN: { status: 503, meaning: 'The server is shutting down; the process is interrupted and can be resumed' },
  TIMEOUT: { status: 504, meaning: 'The process did not finish within its timeout (WEBREQUEST_TIMEOUT_MS, ASYNC_TIMEOUT_MS)' },

  // The server's own failures
  INTERNAL_ERROR: { status: 500, meaning: 'An unexpected error; its message is logged, not sent' },
  NOT_IMPLEMENTED: { status: 501, meaning: "Not implemented (an HTTP 501 raised below potok's routes)" },
  BAD_GATEWAY: { status: 502, meaning: "An upstream answered badly (an HTTP 502 raised below potok's routes)" },
  SERVICE_UNAVAILABLE: { status: 503, meaning: "A service is not available: a 503 raised below potok's routes, or a service a worker asked for that this server does not offer" },
  INVALID_OUTPUT: { status: 500, meaning: 'An output variable ($status, $headers, $body) has the wrong type for an HTTP answer' },
  SCENARIO_NOT_FOUND: { status: 500, meaning: 'An external request or a data-change event names a scenario that does not exist' },
  SECRET_MISSING: { status: 500, meaning: 'A secret is read from an environment variable that is not set' },
  SECRET_KEY_MISSING: { status: 500, meaning: 'POTOK_SECRET_KEY is not set, but connections keep encrypted secrets' },
  SECRET_UNREADABLE: { status: 500, meaning: "A connection's secret cannot be decrypted with POTOK_SECRET_KEY" },
  INVALID_SETTINGS: { status: 500, meaning: 'A setting (environment variable) is invalid; the server does not start' },
  DUPLICATE_COMPONENT: { status: 500, meaning: 'Two components register the same node type' },
  NO_COMPONENTS: { status: 500, meaning: 'No components are registered before a scenario runs' },

  // The store
  STORE_ERROR: { status: 503, meaning: 'The database refused or failed an operation (credentials cut from the message)' },
  STORE_UNAVAILABLE: { status: 503, meaning: 'The store cannot be reached, or the process could not be recorded; retry shortly' },
  STORE_TIMEOUT: { status: 503, meaning: 'The store did not answer in time' },
  STORE_CONTENTION: { status: 503, meaning: 'Too many concurrent writers on one process; try again' },
  STORE_FULL: { status: 507, meaning: "The store's disk is full: nothing more can be written until space is freed" },

  // Catalogs, records and files
  CATALOG_INVALID: { status: 400, meaning: 'The catalog definition is invalid' },
  CATALOG_NOT_FOUND: { status: 404, meaning: 'There is no catalog with this id' },
  RECORD_NOT_FOUND: { status: 404, meaning: 'There is no record with this id in the catalog' },
  RECORD_INVALID: { status: 400, meaning: "A record value does not fit its field's type, or the values are not an object keyed by field id" },
  RECORD_ID_TAKEN: { status: 409, meaning: 'A record with this id exists already' },
  FIELD_NOT_FOUND: { status: 400, meaning: 'The catalog has no such field (a file upload to an unknown field)' },
  FILTER_INVALID: { status: 400, meaning: 'A record filter, field list or count is not valid' },
  FILE_NOT_FOUND: { status: 404, meaning: 'There is no stored file with this id' },
  RECORD_CHANGE_REFUSED: { status: 422, meaning: "A before event's scenario refused the record change; details.body is its $body", relayed: "the $status (400–599) of the before event's scenario" },
  RECORD_EVENT_FAILED: { status: 500, meaning: "A before event's scenario failed, so the record change was not made" },
  RECORDS_UNAVAILABLE: { status: 500, meaning: 'A records component runs where the host provides no catalogs' },
  VIEW_UNSUPPORTED: { status: 500, meaning: 'A findRecords node names a catalog view; potok has none (express it as filters)' },

  // Process failures: a process fails with these (and answers 500)
  PROCESS_FAILED: { status: 500, meaning: 'The process ended without completing and no error was recorded' },
  ACTIVITY_ERROR: { status: 500, meaning: 'An activity failed with an error that had no code of its own' },
  EXPRESSION_ERROR: { status: 500, meaning: 'An expression threw; details name the expression' },
  UNDEFINED_VARIABLE: { status: 500, meaning: 'An expression reads a variable that is not defined' },
  NO_BRANCH_MATCHED: { status: 500, meaning: 'No condition of an exclusive gateway holds and it has no default edge' },
  STEP_LIMIT: { status: 500, meaning: 'The process took more steps than MAX_STEPS (an endless loop?)' },
  DATA_LIMIT: { status: 500, meaning: 'The process variables grew over MAX_PROCESS_DATA_BYTES' },
  OUTBOUND_LIMIT: { status: 500, meaning: 'The process made more outbound requests than MAX_OUTBOUND_REQUESTS' },
  EXPRESSION_TIMEOUT: { status: 500, meaning: 'Scenario code ran past its time limit and could not be interrupted; its worker was replaced' },
  MEMORY_LIMIT: { status: 500, meaning: 'The process used more memory than its worker or sandbox allows; its worker was replaced' },
  ABORTED: { status: 500, meaning: 'An activity was stopped because the process left the node or stopped' },
  CANCELLED: { status: 500, meaning: 'The process was cancelled through the API' },
  CODE_ERROR: { status: 500, meaning: "A code node's code threw" },
  PARSER_ERROR: { status: 500, meaning: 'A parser node cannot read its source or its query' },
  CONVERT_INVALID_SOURCE: { status: 500, meaning: "A convert node's source or options are not what it takes" },
  CONVERT_INVALID_DOCUMENT: { status: 500, meaning: "A convert node's source is not a readable document of its format" },
  CONVERT_TOO_LARGE: { status: 500, meaning: "A convert node's document is over CONVERT_MAX_BYTES or CONVERT_MAX_CELLS" },
  FILE_INVALID: { status: 500, meaning: "A fileUpload node's content is not a binary value or text" },
  HTTP_INVALID_URL: { status: 500, meaning: "An outbound request's URL is not an absolute http(s) URL without credentials" },
  HTTP_INVALID_REQUEST: { status: 500, meaning: "An outbound request's headers or auth cannot be sent" },
  HTTP_FORBIDDEN_DESTINATION: { status: 500, meaning: 'An outbound request would reach a private address (WEBREQUEST_DENY_PRIVATE)' },
  HTTP_NETWORK: { status: 500, meaning: 'An outbound request failed on the network (or redirected too often)' },
  HTTP_TIMEOUT: { status: 500, meaning: 'An outbound request got no complete answer in time' },
  HTTP_TOO_LARGE: { status: 500, meaning: 'An outbound answer is over WEBREQUEST_MAX_RESPONSE_BYTES' },
  HTTP_STATUS: { status: 500, meaning: 'An outbound request answered a non-2xx status where that is an error (failOnStatus)' },
  HTTP_INVALID_JSON: { status: 500, meaning: 'An outbound answer that should be JSON is not' },
  OAUTH_TOKEN: { status: 500, meaning: "A connection's OAuth token could not be obtained" },
  CONNECTION_NOT_FOUND: { status: 500, meaning: 'A node names a connection that does not exist or cannot be used here' },
  CONNECTION_TYPE: { status: 500, meaning: 'A node names a connection of the wrong type' },
  CONNECTION_SECRET_MISSING: { status: 500, meaning: 'A connection lacks a secret the node needs' },
  MAIL_INVALID: { status: 500, meaning: "A sendMail node's message is not valid (recipients, attachments)" },
  MAIL_CONNECTION: { status: 500, meaning: 'The SMTP server cannot be reached' },
  MAIL_AUTH: { status: 500, meaning: 'The SMTP server refused the credentials' },
  MAIL_REJECTED: { status: 500, meaning: 'The SMTP server rejected the message or its envelope' },
  MAIL_TIMEOUT: { status: 500, meaning: 'The SMTP server did not accept the message in time' },
  MAIL_ERROR: { status: 500, meaning: 'Sending mail failed otherwise' },
  SUBPROCESS_FAILED: { status: 500, meaning: 'A child process failed; the message names it and its error' },
  SUBPROCESS_NOT_FOUND: { status: 500, meaning: 'A subProcess node names a scenario that does not exist' },
  SUBPROCESS_INVALID: { status: 500, meaning: "A subProcess node's scenario cannot run (it is invalid)" },
  SUBPROCESS_INPUT: { status: 500, meaning: "A subProcess node's inputs are not an object of variables" },
  SUBPROCESS_UNAVAILABLE: { status: 500, meaning: 'A subProcess node runs where the host cannot start child processes' },
  SUBPROCESS_DEPTH: { status: 500, meaning: 'Sub-processes nest deeper than MAX_SUBPROCESS_DEPTH' },
  DESCENDANT_LIMIT: { status: 500, meaning: 'A process and its sub-processes started more than MAX_DESCENDANTS sub-processes' },
  SERVER_LOST: { status: 500, meaning: 'The server running a synchronous process stopped before it ended; resume it to run it again' },
  LEASE_LOST: { status: 500, meaning: 'Another server took the process over; this one stopped running it' },
  WORKER_LOST: { status: 500, meaning: 'The worker thread that made a call is gone' },
  PROCESS_ENDED: { status: 500, meaning: 'A worker asked about a process that has ended on the main thread' },
  INVALID_INPUT: { status: 500, meaning: "The process's input cannot be handed to a worker" },
  RESULT_NOT_CLONABLE: { status: 500, meaning: "The process's result cannot leave its worker" },
  SNAPSHOT_NOT_CLONABLE: { status: 500, meaning: "The process's snapshot cannot leave its worker" },
  SERVICE_ARGUMENTS: { status: 500, meaning: 'The arguments of a service call cannot leave the worker' },
  SERVICE_RESULT: { status: 500, meaning: 'A service call returned a value that cannot reach the worker' },
} as const satisfies Record<string, ErrorCodeEntry>

/** A code potok produces (a scenario may use others). */
export type ErrorCode = keyof typeof ERROR_CODES

/** The catalogue's entry for `code`, or undefined for a code potok does not produce. */
export function errorCodeEntry(code: string): ErrorCodeEntry | undefined {
  return Object.hasOwn(ERROR_CODES, code) ? (ERROR_CODES as Record<string, ErrorCodeEntry>)[code] : undefined
}

/** The HTTP status of `code`: its catalogue status, 500 for a code not in the catalogue. */
export function statusOf(code: string): number {
  return errorCodeEntry(code)?.status ?? 500
}
