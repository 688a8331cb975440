/**
 * The webhook delivery job: every minute, send the deliveries that are due (services/exchange/webhooks.ts).
 */
import { createWebhookSender } from '../../platform/webhook-sender.js';
import { registerJob } from '../duties/jobs/registry.js';
import { deliverDueWebhooks } from './webhooks.js';

registerJob({
  name: 'webhooks',
  description:
    'Send the webhook deliveries that are due, signed, retrying failures with exponential back-off (1 minute, doubling, 9 attempts).',
  schedule: '* * * * *',
  scheduleInWords: 'Every minute',
  once: 'everyTime',
  runsFor: 'installation',
  run: async (ctx) => {
    const sender = createWebhookSender({ allowPrivate: ctx.deps.config.webhooks.allowPrivateAddresses });
    return { ...(await deliverDueWebhooks(ctx.deps, sender, ctx.deps.clock.now())) };
  },
});
