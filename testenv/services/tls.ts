import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Service } from '../core';

/**
 * A throw-away CA and a server certificate for 127.0.0.1/localhost, used by every HTTPS simulator.
 * Clients trust it only through `caFile`: without it they must refuse (TLS verification stays on).
 */
export const tlsService: Service = {
  name: 'tls',
  debianPackages: ['openssl'],
  async start({ dir }) {
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '30', '-subj', '/CN=pra-testenv CA', '-keyout', 'ca.key', '-out', 'ca.pem']);
    run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
    execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n" > san.ext'], { cwd: dir });
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-extfile', 'san.ext', '-out', 'server.pem']);
    return {
      PRA_TESTENV_CA: join(dir, 'ca.pem'),
      PRA_TESTENV_TLS_CERT: join(dir, 'server.pem'),
      PRA_TESTENV_TLS_KEY: join(dir, 'server.key'),
    };
  },
};
