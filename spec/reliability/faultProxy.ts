/**
 * A fault-injecting HTTP proxy in front of a real S3 server, for the S3 fault tests: it forwards every request
 * to the server unchanged (headers included, so the SigV4 signature, made for the proxy's host, still checks
 * out) and answers the requests a rule picks itself, with `503 SlowDown` as S3 throttles. No mock of S3: what
 * is not throttled is answered by the server.
 *
 * @example
 * const proxy = await faultProxy(gateway.endpoint, (request) => request.method === "PUT" && request.attempt < 2)
 * const store = s3Store({ bucket, endpoint: proxy.endpoint, ... })   // every PUT is throttled twice
 * proxy.seen.filter((request) => request.throttled)
 */
import { Agent, createServer, request as httpRequest } from "node:http"
import type { IncomingMessage, ServerResponse } from "node:http"

/** A request the proxy received. */
export interface ProxiedRequest {
  readonly method: string
  /** The path: `/bucket/key` (path-style addressing). */
  readonly path: string
  /** The query string, `?` included, or "": `?uploadId=...&partNumber=2`, `?x-id=PutObject`. */
  readonly query: string
  /** How many requests with the same method, path and query came before this one (0: the first try). */
  readonly attempt: number
}

/** A request and what the proxy did with it. */
export interface SeenRequest extends ProxiedRequest {
  /** Answered with 503 SlowDown by the proxy (not forwarded). */
  readonly throttled: boolean
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give the S3 client. */
  readonly endpoint: string
  /** Every request so far, in arrival order. */
  readonly seen: ReadonlyArray<SeenRequest>
  close(): Promise<void>
}

/** The body S3 sends with a 503 when a client must slow down. */
const slowDown = (id: number): string =>
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy-${id}</RequestId></Error>`

/** Headers not forwarded: hop-by-hop ones, and `expect` (the proxy reads the body before forwarding anyway). */
const DROPPED = new Set(["connection", "keep-alive", "expect", "transfer-encoding", "proxy-connection", "upgrade"])

/**
 * Starts a proxy on 127.0.0.1 (a free port) forwarding to `target` (an `http://host:port` endpoint); the
 * requests for which `throttle` returns true are answered with `503 SlowDown` instead.
 */
export const faultProxy = async (target: string, throttle: (request: ProxiedRequest) => boolean): Promise<FaultProxy> => {
  const upstream = new URL(target)
  const agent = new Agent({ keepAlive: true })
  const seen: Array<SeenRequest> = []
  const tries = new Map<string, number>()

  const forward = (incoming: IncomingMessage, answer: ServerResponse, body: Buffer): void => {
    const headers: Record<string, string | Array<string>> = {}
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && !DROPPED.has(name)) headers[name] = value
    }
    headers["content-length"] = String(body.byteLength)
    const outgoing = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers, agent },
      (response) => {
        answer.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(answer)
      }
    )
    outgoing.on("error", (error) => {
      answer.destroy(error)
    })
    outgoing.end(body)
  }

  const server = createServer((incoming, answer) => {
    const chunks: Array<Buffer> = []
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk))
    incoming.on("end", () => {
      const method = incoming.method ?? "GET"
      const url = incoming.url ?? "/"
      const queryAt = url.indexOf("?")
      const path = queryAt < 0 ? url : url.slice(0, queryAt)
      const query = queryAt < 0 ? "" : url.slice(queryAt)
      const key = `${method} ${url}`
      const attempt = tries.get(key) ?? 0
      tries.set(key, attempt + 1)
      const request = { method, path, query, attempt }
      const throttled = throttle(request)
      seen.push({ ...request, throttled })
      if (!throttled) {
        forward(incoming, answer, Buffer.concat(chunks))
        return
      }
      const body = method === "HEAD" ? "" : slowDown(seen.length)
      answer.writeHead(503, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) })
      answer.end(body)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  const address = server.address()
  if (typeof address !== "object" || address === null) throw new Error(`faultProxy: unexpected address ${String(address)}`)
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    seen,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    }
  }
}
