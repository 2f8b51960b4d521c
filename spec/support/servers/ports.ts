/** Free TCP ports on 127.0.0.1, for the test servers: never a fixed port, since several test runs share a machine. */
import { createServer } from "node:net"

/**
 * A port that was free a moment ago: the OS picks it, we release it for the server to bind. Another process may
 * take it in between (rare); the start scripts then fail with the port in the message, and the setups retry.
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error(`freePort: unexpected address ${String(address)}`))
      )
    })
  })
