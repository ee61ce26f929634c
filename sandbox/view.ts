/**
 * `GET /_sandbox/view/:userID`: one user's inbox drawn the way two official OpenIM apps draw it,
 * side by side — the Electron desktop/web app (main) and the Flutter demo 3.8.3-patch.3 (its chat
 * bubbles and its OA notification list). The rules are the team's reference openim-clients.md §1–2;
 * nothing here runs a real app. Not part of OpenIM (control plane).
 */
import { ContentType } from '../openim/constants';
import type { Store } from './store';
import type { SandboxMessage } from './types';

/** Electron's label (en.json "Unsupported Message Type"); the Flutter demo's reads alike. */
export const UNSUPPORTED = '[Unsupported Message Type]';

const escape = (text: string): string =>
	text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const obj = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** Text with its http(s) addresses as links, so a reader of the page can open them as in the apps. */
function textHtml(text: string): string {
	return escape(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}" target="_blank" rel="noopener">${url}</a>`);
}

const bubble = (html: string, kind = 'text'): string => `<div class="bubble ${kind}">${html}</div>`;
const unsupported = (): string => bubble(escape(UNSUPPORTED), 'fallback');

function pictureHtml(elem: Record<string, unknown>): string {
	const url = str(obj(elem.snapshotPicture).url) || str(obj(elem.sourcePicture).url) || str(obj(elem.bigPicture).url);
	return `<img src="${escape(url)}" alt="picture" loading="lazy">`;
}

function videoHtml(elem: Record<string, unknown>): string {
	return `<div class="media">▶ Video (${Number(elem.duration) || 0}s) <img src="${escape(str(elem.snapshotUrl))}" alt="video cover" loading="lazy"></div>`;
}

function fileHtml(elem: Record<string, unknown>): string {
	return `<div class="media">📄 ${escape(str(elem.fileName))} (${Number(elem.fileSize) || 0} bytes)</div>`;
}

function voiceHtml(elem: Record<string, unknown>): string {
	return `<div class="media">🔊 Voice ${Number(elem.duration) || 0}″</div>`;
}

/** Electron main (MessageItem/index.tsx): 101 and 102 only; everything else is "unsupported". */
export function electronHtml(m: SandboxMessage): string {
	if (m.contentType === ContentType.Text) return bubble(textHtml(str(m.content.content ?? m.content.text)));
	if (m.contentType === ContentType.Picture) return bubble(pictureHtml(m.content), 'picture');
	return unsupported();
}

/**
 * Flutter 3.8.3-patch.3: 101–105 in chats (106's bubble and 110 unsupported); a 1400 in the OA
 * list page with its name, text and a mixType 1–3 element (4 and 5 are not drawn). The card's own
 * tap does nothing: its link opens only from the picture of a mixType 1 card.
 */
export function flutterHtml(m: SandboxMessage): string {
	const c = m.content;
	switch (m.contentType) {
		case ContentType.Text:
			return bubble(textHtml(str(c.content ?? c.text)));
		case ContentType.Picture:
			return bubble(pictureHtml(c), 'picture');
		case ContentType.Voice:
			return bubble(voiceHtml(c));
		case ContentType.Video:
			return bubble(videoHtml(c));
		case ContentType.File:
			return bubble(fileHtml(c));
		case ContentType.OANotification: {
			const mixType = Number(c.mixType) || 0;
			let media = '';
			if (mixType === 1 && c.pictureElem) {
				const link = str(c.externalUrl);
				media = link ? `<a href="${escape(link)}" target="_blank" rel="noopener">${pictureHtml(obj(c.pictureElem))}</a>` : pictureHtml(obj(c.pictureElem));
			} else if (mixType === 2 && c.videoElem) {
				media = videoHtml(obj(c.videoElem));
			} else if (mixType === 3 && c.fileElem) {
				media = fileHtml(obj(c.fileElem));
			}
			const note = mixType === 1 && str(c.externalUrl) ? '' : str(c.externalUrl) ? '<div class="note">(link not openable: only a mixType 1 picture opens it)</div>' : '';
			return (
				`<div class="oa"><div class="oa-name">${escape(str(c.notificationName))}</div>` +
				`<div class="oa-text">${escape(str(c.text))}</div>${media}${note}</div>`
			);
		}
		default:
			return unsupported();
	}
}

function revokedHtml(m: SandboxMessage): string {
	return `<div class="revoked">${escape(m.revoked?.nickname || m.revoked?.userID || m.sendID)} recalled a message</div>`;
}

function conversationTitle(store: Store, userID: string, conversationID: string, sample: SandboxMessage): string {
	if (sample.groupID) return `Group ${store.groups.get(sample.groupID)?.groupName ?? sample.groupID}`;
	const peer = sample.sendID === userID ? sample.recvID : sample.sendID;
	const name = store.users.get(peer)?.nickname ?? peer;
	return conversationID.startsWith('sn_') ? `Notifications from ${name}` : `Chat with ${name}`;
}

const STYLE =
	'body{font-family:-apple-system,"Segoe UI",Roboto,"PingFang SC",sans-serif;background:#f4f5f7;margin:0;padding:20px;color:#1f2329}' +
	'h1{font-size:20px}h2{font-size:16px;margin:24px 0 8px}.cid{color:#8a8f99;font-weight:normal;font-size:12px}' +
	'table{border-collapse:collapse;width:100%;max-width:980px;background:#fff;border-radius:8px}th,td{border-bottom:1px solid #e8eaed;padding:8px;vertical-align:top;text-align:left;width:50%}' +
	'th{font-size:13px;color:#51565d}.bubble{display:inline-block;max-width:420px;background:#e8f3ff;border-radius:8px;padding:8px 10px;white-space:pre-wrap;word-break:break-word}' +
	'.bubble img,.oa img,.media img{max-width:240px;max-height:160px;display:block;margin-top:4px}.fallback{background:#fff4e5;color:#a35200}' +
	'.oa{border:1px solid #d0d3d6;border-radius:8px;padding:8px 10px;max-width:420px}.oa-name{font-weight:600}.oa-text{white-space:pre-wrap;margin-top:4px}' +
	'.note,.meta{color:#8a8f99;font-size:12px}.revoked{color:#8a8f99;font-style:italic}.empty{color:#8a8f99}';

/** The page: one table per conversation, a row per message, oldest first. */
export function renderView(store: Store, userID: string): string {
	const user = store.users.get(userID);
	const messages = store.inbox(userID);
	const byConversation = new Map<string, SandboxMessage[]>();
	for (const m of messages) byConversation.set(m.conversationID, [...(byConversation.get(m.conversationID) ?? []), m]);
	const sections = [...byConversation].map(([conversationID, list]) => {
		const rows = list
			.map((m) => {
				const meta = `<div class="meta">${escape(m.senderNickname || m.sendID)} · ${new Date(m.sendTime).toISOString().slice(11, 19)} · contentType ${m.contentType}</div>`;
				const cells = m.revoked ? [revokedHtml(m), revokedHtml(m)] : [electronHtml(m), flutterHtml(m)];
				return `<tr data-content-type="${m.contentType}" data-client-msg-id="${escape(m.clientMsgID)}"><td>${meta}${cells[0]}</td><td>${meta}${cells[1]}</td></tr>`;
			})
			.join('');
		const title = conversationTitle(store, userID, conversationID, list[0]);
		return (
			`<h2>${escape(title)} <span class="cid">${escape(conversationID)}</span></h2>` +
			`<table><tr><th>Desktop/web app (Electron, main)</th><th>Flutter app 3.8.3-patch.3${conversationID.startsWith('sn_') ? ' (OA notification list)' : ''}</th></tr>${rows}</table>`
		);
	});
	const name = user?.nickname ?? userID;
	return (
		'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
		`<title>What ${escape(name)} sees</title><style>${STYLE}</style></head><body>` +
		`<h1>What ${escape(name)} sees <span class="cid">${escape(userID)}${user ? '' : ' (not a user of this sandbox)'}</span></h1>` +
		'<p class="meta">Each stored message as two official OpenIM apps draw it, from their sources (not a real app). ' +
		'Current desktop/web, H5 and Flutter apps draw only text (101) and pictures (102); work notifications (1400) need the Flutter demo 3.8.3 or an app of your own.</p>' +
		(sections.length > 0 ? sections.join('') : '<p class="empty">No messages.</p>') +
		'</body></html>'
	);
}
