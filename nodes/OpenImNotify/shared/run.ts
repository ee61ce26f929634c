import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';

/** What the output pane says about the server: OpenImClient. */
export interface ServerDescriber {
	serverDescription(): Promise<string | undefined>;
}

export interface ItemJob<T> {
	itemIndex: number;
	prepared: T;
}

export interface PerItemPlan<T> {
	/** Read and check one item's fields; throws a field error. Nothing is sent in this phase. */
	prepare: (itemIndex: number) => Promise<T> | T;
	/** Checks over all prepared items at once (e.g. recipients exist); returns errors per item. */
	precheck?: (jobs: Array<ItemJob<T>>) => Promise<Map<number, Error>>;
	/**
	 * Checks that run alongside the sends instead (recipients exist): called once with every
	 * prepared item; each item's send first awaits the function it returns, which gives the errors
	 * of the items checked together with it (the item fails with its own). Without "continue on
	 * fail" any error there stops the run before an item of that check is sent.
	 */
	gate?: (jobs: Array<ItemJob<T>>) => (job: ItemJob<T>) => Promise<ReadonlyMap<number, Error> | undefined>;
	/** One result, or one per recipient (all paired with the input item). */
	send: (prepared: T, itemIndex: number) => Promise<IDataObject | IDataObject[]>;
	/** Fields that identify the item in an error item (recvID, operationID…). */
	identify?: (prepared: T) => IDataObject;
	/** The client whose server the output pane names (which OpenIM version answered). */
	server?: ServerDescriber;
	concurrency: number;
}

/** Item errors are already n8n errors (field checks, OpenIM answers); anything else is wrapped. */
export function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}

export type ErrorWithContext = Error & { description?: string | null; context?: { errCode?: unknown } };

export function errorItem(error: ErrorWithContext, itemIndex: number, identity: IDataObject = {}): INodeExecutionData {
	const json: IDataObject = { ...identity, error: error.message };
	if (error.description) json.description = error.description;
	const errCode = error.context?.errCode;
	if (typeof errCode === 'number') json.errCode = errCode;
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * Runs an operation for every input item: all items are prepared and checked first, so bad
 * input stops the run before anything is sent; then sends run with bounded concurrency. Output
 * order is input order and every input item yields exactly one output item ("continue on fail"
 * turns a failure into an error item). Without it, the first failure stops further sends and the
 * error says which items had already been sent, so nothing is lost silently.
 */
export async function runPerItem<T>(ctx: IExecuteFunctions, plan: PerItemPlan<T>): Promise<INodeExecutionData[]> {
	const count = ctx.getInputData().length;
	const continueOnFail = ctx.continueOnFail();
	const results: Array<INodeExecutionData | INodeExecutionData[] | undefined> = new Array(count);
	let jobs: Array<ItemJob<T>> = [];

	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		try {
			jobs.push({ itemIndex, prepared: await plan.prepare(itemIndex) });
		} catch (error) {
			if (!continueOnFail) throw asNodeError(ctx, error, itemIndex);
			results[itemIndex] = errorItem(error as ErrorWithContext, itemIndex);
		}
	}

	if (plan.precheck && jobs.length > 0) {
		let failed: Map<number, Error>;
		try {
			failed = await plan.precheck(jobs);
		} catch (error) {
			// The check itself failed (OpenIM unreachable, wrong secret…): no item was sent.
			if (!continueOnFail) throw asNodeError(ctx, error, jobs[0].itemIndex);
			failed = new Map(jobs.map((job) => [job.itemIndex, error as Error]));
		}
		if (failed.size > 0) {
			const first = jobs.find((job) => failed.has(job.itemIndex));
			if (!continueOnFail && first) throw asNodeError(ctx, failed.get(first.itemIndex), first.itemIndex);
			const byIndex = new Map(jobs.map((job) => [job.itemIndex, job]));
			for (const [itemIndex, error] of failed) {
				const job = byIndex.get(itemIndex);
				results[itemIndex] = errorItem(error as ErrorWithContext, itemIndex, job && plan.identify?.(job.prepared));
			}
			jobs = jobs.filter((job) => !failed.has(job.itemIndex));
		}
	}

	const gate = jobs.length > 0 ? plan.gate?.(jobs) : undefined;
	const sentBeforeFailure: number[] = [];
	// Long runs report progress in n8n's log about every tenth of the way.
	const progressStep = jobs.length >= 100 ? Math.ceil(jobs.length / 10) : 0;
	let finished = 0;
	// Written by the workers; an object so the type checker sees the writes from the closures.
	const stop: { failure?: { itemIndex: number; error: Error } } = {};
	let next = 0;
	const cancelSignal = ctx.getExecutionCancelSignal?.();
	// Workers may fail at the same time: report the earliest item.
	const fail = (itemIndex: number, error: Error) => {
		if (!stop.failure || itemIndex < stop.failure.itemIndex) stop.failure = { itemIndex, error };
	};

	const worker = async () => {
		while (next < jobs.length && !stop.failure && !cancelSignal?.aborted) {
			const index = next++;
			const job = jobs[index];
			// The prepared request is not needed once its item has a result: let it go (big runs).
			(jobs as Array<ItemJob<T> | undefined>)[index] = undefined;
			try {
				const refusals = gate ? await gate(job) : undefined;
				const refused = refusals?.get(job.itemIndex);
				if (refused) throw refused;
				if (refusals?.size && !continueOnFail) {
					// An item checked together with this one was refused: none of them is sent.
					const first = Math.min(...refusals.keys());
					fail(first, refusals.get(first) as Error);
					break;
				}
				// Another item failed while this one waited for its check: stop, as after a send.
				if (stop.failure) break;
				const sent = await plan.send(job.prepared, job.itemIndex);
				const pairedItem = { item: job.itemIndex };
				results[job.itemIndex] = Array.isArray(sent) ? sent.map((json) => ({ json, pairedItem })) : { json: sent, pairedItem };
				sentBeforeFailure.push(job.itemIndex);
			} catch (error) {
				if (continueOnFail) {
					results[job.itemIndex] = errorItem(error as ErrorWithContext, job.itemIndex, plan.identify?.(job.prepared));
				} else {
					fail(job.itemIndex, error as Error);
				}
			}
			finished++;
			if (progressStep && finished % progressStep === 0) {
				ctx.logger.info(`${ctx.getNode().name}: ${finished} of ${jobs.length} items done`);
			}
		}
	};
	const workers = Math.max(1, Math.min(plan.concurrency, jobs.length));
	await Promise.all(Array.from({ length: workers }, worker));

	if (stop.failure) {
		const error = asNodeError(ctx, stop.failure.error, stop.failure.itemIndex) as ErrorWithContext;
		if (sentBeforeFailure.length > 0) {
			const sent = sentBeforeFailure.sort((a, b) => a - b);
			const note = `Already sent before this error, not sent again: items ${sent.join(', ')}. Not sent: the failed item and every item after the stop. Turn on "Continue On Fail" to get one result per item.`;
			error.description = error.description ? `${error.description}\n${note}` : note;
		}
		throw error;
	}
	if (cancelSignal?.aborted) {
		throw new NodeOperationError(ctx.getNode(), 'The execution was cancelled; remaining items were not sent', {
			description: `Sent before the cancel: ${sentBeforeFailure.length} of ${count} items.`,
		});
	}
	const output = (results as Array<INodeExecutionData | INodeExecutionData[]>).flat();
	await addRunHints(ctx, count, output, plan.server);
	return output;
}

/**
 * What the user sees above the output after a run: failed items are easy to miss among
 * thousands of results ("continue on fail"), and which OpenIM version answered is not
 * shown anywhere else in the editor (n8n's credential test success text is fixed).
 */
export async function addRunHints(
	ctx: IExecuteFunctions,
	count: number,
	output: INodeExecutionData[],
	server?: ServerDescriber,
): Promise<void> {
	// Older n8n versions without hints just skip them.
	if (typeof ctx.addExecutionHints !== 'function') return;
	const hints: NodeExecutionHint[] = [];
	// Whole items that failed (error items) and recipients of fan-outs that did not get the send.
	let failedItems = 0;
	let failedRecipients = 0;
	for (const { json } of output) {
		if (json.delivered === false) failedRecipients++;
		else if (json.error !== undefined) failedItems++;
		if (typeof json.failed === 'number') failedRecipients += json.failed;
	}
	const failures = [
		failedItems > 0 ? `${failedItems} of ${count} input items failed` : '',
		failedRecipients > 0 ? `${failedRecipients} ${failedRecipients === 1 ? 'recipient was' : 'recipients were'} not reached` : '',
	].filter(Boolean);
	if (failures.length > 0) {
		hints.push({
			message: `${failures.join('; ')}. The output items say which and why ("error", "errCode", "failures").`,
			type: 'warning',
			location: 'outputPane',
		});
	}
	const described = await server?.serverDescription().catch(() => undefined);
	if (described) hints.push({ message: described, type: 'info', location: 'outputPane' });
	if (hints.length > 0) ctx.addExecutionHints(...hints);
}
