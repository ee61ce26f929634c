import { explainErrCode, describeEnvelopeError, redact } from '../../../../../nodes/OpenImNotify/transport/errors';

describe('OpenIM error mapping', () => {
	it('explains 1002 on send_msg as a sender that is not a notification account', () => {
		const text = explainErrCode(1002, '/msg/send_msg');
		expect(text).toMatch(/notification account/);
		expect(text).toMatch(/appMangerLevel 3/);
	});

	it('names the validator failure of errCode 500 on sends', () => {
		expect(explainErrCode(500, '/msg/send_msg')).toMatch(/validator/);
	});

	it('redacts tokens OpenIM echoes in errDlt and any known secret', () => {
		const issued = 'eyJhbGciOiJIUzI1NiJ9.eyJVc2VySUQiOiJpbUFkbWluIn0.c2lnbmF0dXJl';
		const errDlt = `TokenExpiredError jwt parse error, token=${issued}`;
		const failure = describeEnvelopeError('/msg/send_msg', { errCode: 1501, errMsg: '', errDlt }, 200, [issued, 'openIM123']);
		expect(failure.message).not.toContain(issued);
		expect(failure.errDlt).not.toContain(issued);
		expect(redact('secret is openIM123', ['openIM123'])).toBe('secret is [redacted]');
		expect(redact(`Bearer ${issued}`, [])).not.toContain(issued);
	});

	it('redacts the token OpenIM v2 writes into errMsg', () => {
		const issued = 'eyJhbGciOiJIUzI1NiJ9.eyJVSUQiOiJvcGVuSU1BZG1pbiJ9.c2lnbmF0dXJl';
		const errMsg = `op-1 GetUserIDFromToken failed token is expired token:${issued} or opaque-secret-42`;
		const failure = describeEnvelopeError('/msg/manage_send_msg', { errCode: 801, errMsg }, 200, [issued, 'opaque-secret-42']);
		for (const text of [failure.message, failure.errMsg]) {
			expect(text).toContain('GetUserIDFromToken failed');
			expect(text).not.toContain(issued);
			expect(text).not.toContain('opaque-secret-42');
		}
	});

	it('builds a message with errCode, name and detail', () => {
		const failure = describeEnvelopeError('/msg/send_msg', { errCode: 1101, errMsg: 'UserIDNotFoundError', errDlt: 'hr_x' }, 200, []);
		expect(failure.message).toBe('OpenIM /msg/send_msg failed with errCode 1101 UserIDNotFoundError (hr_x)');
		expect(failure.description).toMatch(/does not exist/);
	});
});
