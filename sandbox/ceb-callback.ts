import type { Logger } from 'pino';
import type { SandboxClock } from './clock';
import type { CebCustoms } from './ceb-customs';

// Best-effort delivery of the CEB receipts to a callback URL, as a transfer client's receive directory or a
// broker's callback would hand them over: each receipt's signed XML is POSTed once it is available, up to
// 3 attempts. Nothing in the order depends on it: the receipts can always be queried.

export class CebCallback {
  private ticker: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly url: string,
    private readonly clock: SandboxClock,
    private readonly ceb: CebCustoms,
    private readonly logger?: Logger,
  ) {}

  start(pollMs = 100) {
    this.ticker = setInterval(() => {
      this.running ??= this.runDue().finally(() => (this.running = null));
    }, pollMs);
    this.ticker.unref();
  }

  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    await this.running;
  }

  async runDue(): Promise<void> {
    const now = await this.clock.now();
    for (const receipt of this.ceb.dueForCallback(now)) {
      receipt.sendAttempts += 1;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/xml; charset=UTF-8' },
          body: receipt.xml,
          signal: AbortSignal.timeout(5_000),
        });
        receipt.sent = res.ok;
      } catch (error) {
        this.logger?.warn({ err: error, messageType: receipt.messageType, attempt: receipt.sendAttempts }, 'CEB receipt callback failed');
      }
    }
  }
}
