import { createServer, request, type Server } from 'node:http';

/**
 * A model server that serves the OpenAI API only under /v1, as Ollama, vLLM and LM Studio do:
 * /v1/* goes to `target` (a scripted model), anything else answers 404 "404 page not found" in
 * plain text, as Ollama does for `POST /chat/completions`.
 */
export async function v1OnlyServer(target: string): Promise<{ origin: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/v1/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    const upstream = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
