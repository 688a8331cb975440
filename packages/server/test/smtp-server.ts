/**
 * A real SMTP server (`smtp-server`) on loopback for tests of what the outbox does with real
 * answers: it accepts mail for every address except those it is told to refuse, which it refuses
 * at RCPT TO with `550 5.1.1 Mailbox unavailable` (a refusal retrying cannot change).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface LoopbackSmtp {
  readonly url: string;
  /** The recipients of each message accepted, in order. */
  readonly accepted: string[];
  close(): Promise<void>;
}

export function startLoopbackSmtp(refuse: readonly string[]): Promise<LoopbackSmtp> {
  const accepted: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (refuse.includes(address.address)) {
        const e = new Error('5.1.1 Mailbox unavailable') as Error & { responseCode: number };
        e.responseCode = 550;
        return cb(e);
      }
      cb();
    },
    onData(stream, session, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted.push(session.envelope.rcptTo.map((r) => r.address).join(','));
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
        accepted,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}
