import { createHash } from 'crypto';

import type { IDataObject } from 'n8n-workflow';

import { Path } from '../../../openim/constants';
import type { OpenImClient } from '../transport';
import type { Decision } from './approval';

/**
 * Send and Wait with several approvers: where the answers that do not decide yet are kept.
 *
 * n8n resumes a waiting execution once, and persists nothing from a webhook() call that does not
 * resume it; in queue mode the next answer may reach another process. So every answer is written
 * to OpenIM, which every n8n process reaches with the credential's admin token: one conversation
 * record per approver, owned by the sending account (notification account or admin, which no
 * employee's app logs in as), its `ex` holding the answer. /conversation/set_conversations creates
 * or updates it for the owner and clears the cache, /conversation/get_conversations reads it back
 * (3.8.x, no access check beyond the token; sandbox/README.md). A manifest record, written before
 * the cards go out, holds the approver list and the mode, so each answer can count the others.
 */

export type ApprovalMode = 'first' | 'all' | 'atLeast';

export interface Manifest {
	approvers: string[];
	mode: ApprovalMode;
	/** atLeast: approvals (or answers) needed. */
	min: number;
	responseType: string;
}

export interface Answer extends IDataObject {
	userID: string;
	decision: Decision;
	respondedAt: string;
}

/** SingleChatType: the record stands for the owner's "conversation" with the approver. */
const RECORD_CONVERSATION_TYPE = 1;

/** Record IDs: one approval (execution + node) and, per approver, one answer. */
export function recordPrefix(executionId: string, nodeId: string): string {
	const digest = createHash('sha256').update(`${executionId}\n${nodeId}`).digest('hex').slice(0, 24);
	return `n8n_approval_${digest}`;
}

const answerID = (prefix: string, userID: string) => `${prefix}_${userID}`;

async function writeRecord(client: OpenImClient, owner: string, conversationID: string, userID: string, ex: IDataObject): Promise<void> {
	await client.call(Path.SetConversations, {
		userIDs: [owner],
		conversation: { conversationID, conversationType: RECORD_CONVERSATION_TYPE, userID, groupID: '', ex: { value: JSON.stringify(ex) } },
	});
}

async function readRecords(client: OpenImClient, owner: string, conversationIDs: string[]): Promise<Map<string, IDataObject>> {
	const data = await client.call<{ conversations?: Array<{ conversationID: string; ex?: string }> | null }>(Path.GetConversations, {
		ownerUserID: owner,
		conversationIDs,
	});
	const found = new Map<string, IDataObject>();
	for (const conversation of data?.conversations ?? []) {
		try {
			const ex = JSON.parse(conversation.ex ?? '') as IDataObject;
			if (ex && typeof ex === 'object') found.set(conversation.conversationID, ex);
		} catch {
			// Not one of ours.
		}
	}
	return found;
}

export async function writeManifest(client: OpenImClient, owner: string, prefix: string, manifest: Manifest): Promise<void> {
	await writeRecord(client, owner, prefix, '', { kind: 'n8n-approval', ...manifest } as unknown as IDataObject);
}

/** The manifest and this approver's earlier answer, if any. */
export async function readOwn(client: OpenImClient, owner: string, prefix: string, userID: string): Promise<{ manifest?: Manifest; answer?: Answer }> {
	const records = await readRecords(client, owner, [prefix, answerID(prefix, userID)]);
	const manifest = records.get(prefix);
	const answer = records.get(answerID(prefix, userID));
	return {
		manifest: manifest?.kind === 'n8n-approval' ? (manifest as unknown as Manifest) : undefined,
		answer: answer ? (answer as Answer) : undefined,
	};
}

export async function writeAnswer(client: OpenImClient, owner: string, prefix: string, answer: Answer): Promise<void> {
	await writeRecord(client, owner, answerID(prefix, answer.userID), answer.userID, answer);
}

/** Every approver's recorded answer, in approver order. */
export async function readAnswers(client: OpenImClient, owner: string, prefix: string, approvers: string[]): Promise<Answer[]> {
	const records = await readRecords(client, owner, approvers.map((id) => answerID(prefix, id)));
	return approvers.flatMap((id) => {
		const answer = records.get(answerID(prefix, id));
		return answer ? [{ ...(answer as Answer), userID: id }] : [];
	});
}

/**
 * Whether the answers so far decide: the first answer (first), any decline or everyone approving
 * (all), N approvals or too many declines to reach N (atLeast). Free text and forms have no
 * decline: "all" waits for everyone, "atLeast" for N answers.
 */
export function decide(manifest: Manifest, answers: Answer[], current: Answer): Decision | undefined {
	if (answers.length === 0) return undefined;
	const total = manifest.approvers.length;
	const approved = answers.filter((a) => a.decision === 'approved' || a.decision === 'answered').length;
	const declined = answers.filter((a) => a.decision === 'declined').length;
	const yes: Decision = manifest.responseType === 'approval' ? 'approved' : 'answered';
	switch (manifest.mode) {
		case 'first':
			return current.decision;
		case 'all':
			if (declined > 0) return 'declined';
			return approved >= total ? yes : undefined;
		default: {
			const min = Math.max(1, Math.min(manifest.min, total));
			if (approved >= min) return yes;
			return declined > total - min ? 'declined' : undefined;
		}
	}
}

/** The output of a decided multi-approver request. */
export function summary(manifest: Manifest, answers: Answer[], decision: Decision, decider: Answer): IDataObject {
	const answered = new Set(answers.map((a) => a.userID));
	return {
		decision,
		approved: decision === 'approved' ? true : decision === 'declined' ? false : null,
		timedOut: false,
		respondedAt: decider.respondedAt,
		respondedBy: decider.userID,
		approvalMode: manifest.mode,
		...(manifest.mode === 'atLeast' ? { requiredApprovals: manifest.min } : {}),
		approvers: manifest.approvers,
		responses: answers,
		notAnswered: manifest.approvers.filter((id) => !answered.has(id)),
	};
}
