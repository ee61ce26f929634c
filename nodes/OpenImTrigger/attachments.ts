import type { IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { ContentType } from '../../openim/constants';

/**
 * "Download Attachments": a received picture, voice, video or file message becomes n8n binary data
 * (field `data`), fetched from the message's URL — for files sent from OpenIM's apps that is
 * OpenIM's `/object/<name>`, which redirects to a presigned storage URL (no token needed).
 */

/** The media URL and a file name of a message's content (openim-api.md §2.2). */
export function attachmentOf(contentType: unknown, content: unknown): { url: string; fileName: string } | undefined {
	if (content === null || typeof content !== 'object') return undefined;
	const c = content as IDataObject;
	const picture = (c.sourcePicture ?? {}) as IDataObject;
	const url: unknown = {
		[ContentType.Picture]: picture.url,
		[ContentType.Voice]: c.sourceUrl,
		[ContentType.Video]: c.videoUrl,
		[ContentType.File]: c.sourceUrl,
	}[Number(contentType)];
	if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return undefined;
	let fileName = typeof c.fileName === 'string' ? c.fileName : '';
	if (!fileName) {
		const last = url.split('?')[0].split('/').pop() ?? '';
		try {
			fileName = decodeURIComponent(last);
		} catch {
			fileName = last;
		}
	}
	return { url, fileName: fileName || 'attachment' };
}

function parseEnvelope(data: Buffer): { errCode: number; errMsg: string; errDlt: string } | undefined {
	try {
		const body = JSON.parse(data.toString('utf8')) as IDataObject;
		if (typeof body.errCode === 'number' && body.errCode !== 0) {
			return { errCode: body.errCode, errMsg: String(body.errMsg ?? ''), errDlt: String(body.errDlt ?? '') };
		}
	} catch {
		// Not JSON after all: a file like any other.
	}
	return undefined;
}

interface FullResponse {
	statusCode: number;
	body: unknown;
	headers?: Record<string, unknown>;
}

/**
 * Adds the attachment of each media message as binary `data`. A download that fails leaves the
 * item without binary and says why in `attachmentError`: OpenIM's callback still gets its answer.
 */
export async function withAttachments(ctx: IWebhookFunctions, items: IDataObject[], maxBytes: number): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (const json of items) {
		const attachment = attachmentOf(json.contentType, json.content);
		if (!attachment) {
			out.push({ json });
			continue;
		}
		try {
			const response = (await ctx.helpers.httpRequest({
				method: 'GET',
				url: attachment.url,
				encoding: 'arraybuffer',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: 30000,
			})) as FullResponse;
			if (response.statusCode < 200 || response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode} from ${attachment.url.split('?')[0]}`);
			const data = Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body as ArrayBuffer);
			if (data.length > maxBytes) throw new Error(`the file is ${data.length} bytes, above the limit of ${maxBytes}`);
			const type = String(response.headers?.['content-type'] ?? '').split(';')[0].trim() || undefined;
			// OpenIM's /object/<name> answers an unknown name with its JSON envelope, HTTP 200.
			if (type === 'application/json' && data.length < 4096) {
				const envelope = parseEnvelope(data);
				if (envelope) throw new Error(`OpenIM answered errCode ${envelope.errCode} ${envelope.errMsg} (${envelope.errDlt}) for ${attachment.url.split('?')[0]}`);
			}
			out.push({ json, binary: { data: await ctx.helpers.prepareBinaryData(data, attachment.fileName, type) } });
		} catch (error) {
			const message = (error as Error).message ?? String(error);
			ctx.logger.warn(`OpenIM Trigger: could not download the attachment of message ${String(json.serverMsgID ?? '')}: ${message}`);
			out.push({ json: { ...json, attachmentError: message } });
		}
	}
	return out;
}
