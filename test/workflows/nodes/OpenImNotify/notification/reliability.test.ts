/**
 * Bulk sends under injected faults (HTTP 500/429, connection resets before and after processing,
 * stalls, a token that expires mid-run): every input item yields exactly one output item, every
 * accepted message is stored exactly once, and every item is delivered or carries its error.
 */
import { SEND_FAULTS } from '../../../../fixtures/faults';
import { notification, NOTIFY, useOpenImSandbox } from '../../../openim-fixtures';

const ctx = useOpenImSandbox();

const USERS = ['alice', 'bob', 'carol', 'dave'];
const items = (count: number) => Array.from({ length: count }, (_, i) => ({ userID: USERS[i % USERS.length], n: i }));
const fastRetries = { maxConcurrency: 16, maxRetries: 8, maxRetryWait: 0.02 };

describe('Notification → Send under faults', () => {
	it('2,000 sends: exactly one output per item, each accepted message stored exactly once', async () => {
		ctx.sandbox.configure({
			expireTokensAtRequest: 700,
			faults: SEND_FAULTS,

		});
		const count = 2000;
		const result = await ctx.run(
			items(count),
			notification({ notificationName: '=Notice {{ $json.n }}', options: fastRetries }),
			{ onError: 'continueRegularOutput' },
		);
		expect(result.status).toBe('success');
		const out = result.output(NOTIFY);
		expect(out).toHaveLength(count);
		out.forEach((item, i) => expect(item.pairedItem).toEqual({ item: i }));

		const stats = ctx.sandbox.stats();
		expect(stats.faults).toBeDefined();
		const messages = ctx.sandbox.messages();
		// Exactly once: no operationID stored twice, one stored message per delivered item.
		expect(stats.duplicates.byOperationID).toHaveLength(0);
		const byOperation = new Map(messages.map((m) => [m.operationID, m]));
		expect(byOperation.size).toBe(messages.length);
		const delivered = out.filter((item) => item.json.delivered === true);
		const failed = out.filter((item) => item.json.delivered !== true);
		expect(messages).toHaveLength(delivered.length);
		for (const item of delivered) {
			const message = byOperation.get(item.json.operationID as string);
			expect(message).toBeDefined();
			expect(message!.recvID).toBe(item.json.recvID);
			// A lost answer is confirmed by operationID; otherwise the IDs are OpenIM's own.
			if (item.json.deliveryConfirmedBy === undefined) expect(message!.serverMsgID).toBe(item.json.serverMsgID);
		}
		for (const item of failed) expect(typeof item.json.error).toBe('string');
		// With eight retries the injected faults should almost never win.
		expect(failed.length).toBeLessThan(count * 0.01);
		// Some answers were lost after the message was stored, and confirmed rather than re-sent.
		expect(delivered.some((item) => item.json.deliveryConfirmedBy === 'check_msg_is_send_success')).toBe(true);
	});

	it('does not retry content or permission errors', async () => {
		ctx.store.seed({ openImCred0001: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData({ senderIDs: 'alice' }) } });
		try {
			const result = await ctx.run([{ userID: 'bob' }], notification({ sendID: 'alice', options: fastRetries }), {
				onError: 'continueRegularOutput',
			});
			expect(result.json(NOTIFY)[0]).toMatchObject({ errCode: 1002 });
			expect(ctx.sandbox.stats().requests.byPath['/msg/send_msg']).toBe(1);
		} finally {
			ctx.store.seed({ openImCred0001: { type: 'openImApi', name: 'OpenIM sandbox', data: ctx.credentialData() } });
		}
	});

	it('after a timeout, asks twice whether the send arrived (the server may still be at it) before sending again', async () => {
		ctx.sandbox.configure({ faults: { paths: ['/msg/send_msg'], script: ['stall'], stallMs: 3000 } });
		const result = await ctx.run([{ userID: 'alice' }], notification({ options: { timeout: 1, maxRetryWait: 1 } }));
		expect(result.error).toBeUndefined();
		const byPath = ctx.sandbox.stats().requests.byPath;
		expect(byPath['/msg/check_msg_is_send_success']).toBe(2);
		expect(ctx.sandbox.inbox('alice')).toHaveLength(1);
	});

	it('never has more requests in flight than Max Concurrent Requests', async () => {
		ctx.sandbox.configure({ faults: { seed: 1, paths: ['/msg/send_msg'], stallRate: 1, stallMs: 5 } });
		await ctx.run(items(200), notification({ notificationName: '=N {{ $json.n }}', options: { maxConcurrency: 4 } }));
		expect(ctx.sandbox.stats().maxInFlight).toBeLessThanOrEqual(4 + 1); // + the one-off token/profile lookups before sending
		expect(ctx.sandbox.messages()).toHaveLength(200);
	});

	it('spaces requests with Requests Per Second', async () => {
		const started = Date.now();
		await ctx.run(items(10), notification({ notificationName: '=N {{ $json.n }}', options: { requestsPerSecond: 20 } }));
		// 10 sends + the lookups before them at 20/s take at least ~0.5 s.
		expect(Date.now() - started).toBeGreaterThanOrEqual(450);
		expect(ctx.sandbox.messages()).toHaveLength(10);
	});
});
