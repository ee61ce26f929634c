import { itemsNode, linearWorkflow, manualTriggerNode, runWorkflow } from './index';
test('debug handles', async () => {
	const before = (process as any)._getActiveHandles().map((h: any) => h.constructor.name);
	const r = await runWorkflow(linearWorkflow(manualTriggerNode(), itemsNode([{ a: 1 }])));
	expect(r.status).toBe('success');
	await new Promise((res) => setTimeout(res, 100));
	const after = (process as any)._getActiveHandles();
	console.log(before, after.map((h: any) => h.constructor.name + ' ' + (h._onTimeout ? String(h._onTimeout).slice(0, 200) : '')));
	const reqs = (process as any)._getActiveRequests();
	console.log(reqs.length);
});
