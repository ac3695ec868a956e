// nginx in the two roles a bench run gives it: the fast static upstream, and the reference proxy.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, waitForOk, type Running } from './processes.ts';
import { findCommand } from './tools.ts';

type Role = { kind: 'static'; body: Buffer } | { kind: 'proxy'; upstream: URL; h2?: boolean };

// One worker, no access log, keep-alive both ways: the setup the proxies are compared in.
function render(dir: string, port: number, role: Role): string {
  const site = role.kind === 'static'
    ? `root ${dir}; location = / { try_files /body =404; }`
    : `location / {
        proxy_pass http://upstream;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_buffering on;
      }`;
  const upstream = role.kind === 'proxy'
    ? `upstream upstream { server ${role.upstream.host}; keepalive 64; }`
    : '';
  // As root, nginx would drop its worker to "nobody", which cannot read the private temp folder.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `${user}
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/octet-stream;
  sendfile on;
  tcp_nodelay on;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${upstream}
  server {
    listen 127.0.0.1:${port}${role.kind === 'proxy' && role.h2 ? ' http2' : ''} reuseport backlog=4096;
    ${site}
  }
}
`;
}

/** Starts nginx in `role` on 127.0.0.1:`port`, its files under `workDir`/`name`, and resolves once it answers. */
export async function startNginx(name: string, port: number, role: Role, workDir: string, cpu?: number): Promise<Running> {
  const nginx = findCommand('nginx');
  if (!nginx) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  if (role.kind === 'static') writeFileSync(join(dir, 'body'), role.body);
  writeFileSync(join(dir, 'nginx.conf'), render(dir, port, role));
  const child = start(name, nginx, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), '-g', 'daemon off;'], { cpu });
  await waitForOk(child, `http://127.0.0.1:${port}/`, role.kind === 'proxy' && role.h2);
  return child;
}
