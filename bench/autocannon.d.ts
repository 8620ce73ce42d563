/** The part of autocannon's API `bench/http.ts` uses (the package ships no types). */
declare module 'autocannon' {
  interface Options {
    url: string
    method?: string
    connections?: number
    duration?: number
    headers?: Record<string, string>
    body?: string
  }
  interface Histogram { average: number; p50: number; p99: number; [key: string]: number }
  interface Result {
    requests: Histogram
    latency: Histogram
    errors: number
    timeouts: number
    statusCodeStats?: Record<string, { count: number }>
  }
  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
