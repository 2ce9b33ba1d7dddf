import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { clusterLine, webRoutes } from "./web-routes.js";

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function site(): string {
  const dir = mkdtempSync(join(tmpdir(), "cg-webroutes-"));
  writeFileSync(join(dir, "index.html"), '<link href="app.css%QUERY%"><script src="app.js%QUERY%"></script>');
  writeFileSync(join(dir, "app.js"), "console.log('cluster');".repeat(20));
  writeFileSync(join(dir, "app.css"), "body{color:red}");
  writeFileSync(join(dir, "secret.txt"), "not part of the build");
  writeFileSync(join(dir, ".hidden.js"), "nope");
  mkdirSync(join(dir, "sub"));
  writeFileSync(join(dir, "sub", "x.js"), "nope");
  mkdirSync(join(dir, "folder.js"));
  return dir;
}

async function serve(dir: string): Promise<string> {
  const handle = webRoutes(dir);
  const server = createServer((req, res) => {
    if (!handle(req, res, new URL(req.url ?? "/", "http://localhost"))) {
      res.writeHead(404);
      res.end();
    }
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A raw GET that sends the path exactly as written (fetch would normalise `..`). */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const u = new URL(base);
    const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("webRoutes", () => {
  it("serves the page with its assets' URLs carrying the page's token", async () => {
    const base = await serve(site());
    const plain = await raw(base, "/");
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(plain.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(plain.body.toString()).toBe('<link href="app.css"><script src="app.js"></script>');

    const withToken = await raw(base, `/?token=${encodeURIComponent('a b&"><script>')}`);
    expect(withToken.body.toString()).toBe(
      '<link href="app.css?token=a%20b%26%22%3E%3Cscript%3E"><script src="app.js?token=a%20b%26%22%3E%3Cscript%3E"></script>',
    );
    expect(withToken.headers["etag"]).not.toBe(plain.headers["etag"]);
  });

  it("answers assets with their type, an ETag (304 on a match), gzip on request and HEAD without a body", async () => {
    const base = await serve(site());
    const js = await raw(base, "/app.js");
    expect(js.status).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("no-cache");
    expect(js.headers["x-content-type-options"]).toBe("nosniff");
    const etag = String(js.headers["etag"]);
    expect((await raw(base, "/app.js", { "if-none-match": etag })).status).toBe(304);

    const gz = await raw(base, "/app.js", { "accept-encoding": "gzip, br" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers["vary"]).toBe("accept-encoding");
    expect(gunzipSync(gz.body).equals(js.body)).toBe(true);
    expect(gz.headers["etag"]).not.toBe(etag);
    expect((await raw(base, "/app.js", { "accept-encoding": "gzip", "if-none-match": String(gz.headers["etag"]) })).status).toBe(304);

    const head = await raw(base, "/app.css", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toBe("text/css; charset=utf-8");
    expect(Number(head.headers["content-length"])).toBe(15);
    expect(head.body.length).toBe(0);
  });

  it("serves only the built files by exact name: no traversal, no sub-folders, no other types", async () => {
    const base = await serve(site());
    for (const path of [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/..%2fsecret.txt",
      "/secret.txt",
      "/.hidden.js",
      "/sub/x.js",
      "/sub%2fx.js",
      "/folder.js",
      "/app.js/",
      "//etc/passwd",
      "/%2fetc%2fpasswd",
      "/app.js%00.css",
    ]) {
      expect((await raw(base, path)).status, path).toBe(404);
    }
  });

  it("explains itself when the web build is missing", async () => {
    const base = await serve(join(tmpdir(), "cg-no-such-web-build"));
    const r = await raw(base, "/");
    expect(r.status).toBe(503);
    expect(r.body.toString()).toContain("npm run build");
    expect((await raw(base, "/app.js")).status).toBe(404);
  });
});

describe("the start-up line about the page", () => {
  it("names the page only when there is one to serve", () => {
    const built = webRoutes(site());
    const missing = webRoutes(join(tmpdir(), "cg-webroutes-no-such-folder"));
    expect(built.hasPage).toBe(true);
    expect(missing.hasPage).toBe(false);
    expect(clusterLine(built, "http://127.0.0.1:8080/", false)).toBe("the cluster: http://127.0.0.1:8080/");
    expect(clusterLine(built, "http://127.0.0.1:8080/", true)).toBe("the cluster: http://127.0.0.1:8080/?token=<your token>");
    expect(clusterLine(missing, "http://127.0.0.1:8080/", false)).not.toContain("http://");
  });
});
