import { randomUUID } from 'crypto';
import type { IBinaryData, IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';

import type { FileElem, PictureElem, SoundElem, VideoElem } from '../../../openim/wire';
import type { OpenImClient } from '../transport';
import { uploadObject } from '../transport/upload';
import type { UploadSource } from '../transport/upload';
import { extensionOf, HEAD_BYTES, imageSize, sniffMimeType } from './fileTypes';
import type { ItemInput } from './input';
import { mediaFields, readFile, readPicture, readVideo, readVoice } from './media';
import type { MediaKind } from './media';

/**
 * Media from n8n binary data: every media field can take a file from an earlier node instead of a
 * URL. The file is checked while the item is prepared (nothing sent or uploaded yet); it is uploaded
 * to OpenIM's object storage (transport/upload.ts) just before its message is sent, and the element
 * gets the object's URL.
 */

const LABEL: Record<MediaKind, string> = { picture: 'Picture', video: 'Video', file: 'File', voice: 'Voice' };

/** Fields a binary file fills in itself: shown only for the URL source. */
const FROM_FILE: Record<MediaKind, string[]> = {
	picture: ['pictureUrl', 'pictureType', 'pictureWidth', 'pictureHeight', 'pictureSize', 'pictureSnapshotUrl'],
	video: ['videoUrl', 'videoType', 'videoSize'],
	file: ['fileUrl', 'fileSize'],
	voice: ['voiceUrl', 'voiceSize'],
};

const sourceParam = (kind: MediaKind) => `${kind}Source`;
const binaryParam = (kind: MediaKind) => `${kind}BinaryProperty`;
const binaryLabel = (kind: MediaKind) => `${LABEL[kind]} Binary Field`;

/** The longest side of the thumbnail OpenIM renders for lists (`?type=image&width=&height=`). */
const THUMBNAIL_MAX = 640;
const MiB = 1024 * 1024;
export const DEFAULT_MAX_FILE_MB = 100;

/** mediaFields() with a source choice: URL (the fields as they are) or a binary file from the input. */
export function mediaFieldsWithBinary(kind: MediaKind, show: IDisplayOptions['show']): INodeProperties[] {
	const fromUrl = { ...show, [sourceParam(kind)]: ['url'] };
	return [
		{
			displayName: `${LABEL[kind]} Source`,
			name: sourceParam(kind),
			type: 'options',
			noDataExpression: true,
			options: [
				{
					name: 'Binary File',
					value: 'binary',
					description: 'A file from an earlier node (n8n binary data), uploaded to OpenIM\'s object storage',
				},
				{ name: 'URL', value: 'url', description: 'A public address the app loads the file from' },
			],
			default: 'url',
			description: `Where the ${kind} comes from`,
			displayOptions: { show },
		},
		{
			displayName: binaryLabel(kind),
			name: binaryParam(kind),
			type: 'string',
			default: 'data',
			required: true,
			placeholder: 'data',
			hint: 'The name of the input binary field holding the file',
			description: 'Binary field of the input item with the file, e.g. from Read/Write Files from Disk or HTTP Request',
			displayOptions: { show: { ...show, [sourceParam(kind)]: ['binary'] } },
		},
		...mediaFields(kind, show).map((field) =>
			FROM_FILE[kind].includes(field.name) ? { ...field, displayOptions: { show: fromUrl } } : field,
		),
	];
}

/** Options of the send operations that concern uploads. */
export const uploadOptions: INodeProperties[] = [
	{
		displayName: 'Keep Uploaded Files',
		name: 'keepUploadedFiles',
		type: 'boolean',
		default: false,
		description:
			'Whether files sent from binary data stay in OpenIM\'s storage for good. Off: they are uploaded as message files, which OpenIM deletes after 180 days.',
	},
	{
		displayName: 'Max File Size (MB)',
		name: 'maxFileSizeMB',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_MAX_FILE_MB,
		description: 'Larger binary files are refused before anything is sent or uploaded',
	},
];

/** Uploads one item's file and writes its URL into the message; resolves with the output's note of it. */
export type FileUpload = (client: OpenImClient) => Promise<IDataObject>;

/** Builds the media elements of one item; `binaryMedia` adds files to upload. */
export interface MediaReader {
	picture(input: ItemInput): PictureElem;
	video(input: ItemInput): VideoElem;
	file(input: ItemInput): FileElem;
	voice(input: ItemInput): SoundElem;
}

export const urlMedia: MediaReader = { picture: readPicture, video: readVideo, file: readFile, voice: readVoice };

interface OpenedFile {
	property: string;
	fileName: string;
	mimeType: string;
	size: number;
	head: Buffer;
	source: UploadSource;
}

/**
 * Part buffers reused from part to part, so reading a file allocates a few parts, not one buffer per
 * part (garbage that V8 frees only when its external-memory limit is reached: tens of MB).
 */
class PartPool {
	private readonly free: Buffer[] = [];
	private readonly out = new Set<ArrayBufferLike>();
	constructor(private readonly bytes: number) {}

	take(): Buffer {
		const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bytes);
		this.out.add(buffer.buffer);
		return buffer;
	}

	/** Takes back a part cut from one of its buffers; anything else (or a second give) is ignored. */
	give(part: Buffer): void {
		if (this.out.delete(part.buffer)) this.free.push(Buffer.from(part.buffer, 0, this.bytes));
	}
}

/** A source whose parts come from a pool: the pool of the pass in progress takes them back. */
function pooled(size: number, parts: (partSize: number, pool: PartPool) => AsyncIterable<Buffer>, slack = 0): UploadSource {
	let pool: PartPool | undefined;
	return {
		size,
		parts(partSize: number) {
			// A small file needs no buffer of a whole part.
			pool = new PartPool(Math.min(partSize, size) + slack);
			return parts(partSize, pool);
		},
		release: (part: Buffer) => pool?.give(part),
	};
}

/**
 * n8n 1.x's default binary mode keeps the file in the item as base64. Decoding it whole makes a Buffer
 * of the file's size (what getBinaryDataBuffer does). Canonical base64 (what n8n writes) is decoded
 * part by part instead, 4 characters per 3 bytes.
 */
const BASE64_ALPHABET_OUTSIDE = /[^A-Za-z0-9+/=]/;
export function isCanonicalBase64(data: string): boolean {
	if (data.length % 4 !== 0) return false;
	const padding = data.indexOf('=');
	if (padding !== -1 && padding < data.length - 2) return false;
	if (padding !== -1 && padding === data.length - 2 && data[data.length - 1] !== '=') return false;
	return !BASE64_ALPHABET_OUTSIDE.test(data);
}

function base64Size(data: string): number {
	const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
	return (data.length / 4) * 3 - padding;
}

/** Characters decoded per call: Node may copy a string before decoding it (not a flat one-byte string), so a slice. */
const DECODE_CHARS = 256 * 1024;

/** Bytes [from, to) of canonical base64 `data` into `target` (which has 4 bytes of slack); the part as a view. */
function decodeBase64Range(data: string, from: number, to: number, target: Buffer): Buffer {
	const quantum = Math.floor(from / 3);
	const end = Math.min(data.length, Math.ceil(to / 3) * 4);
	let written = 0;
	for (let at = quantum * 4; at < end; at += DECODE_CHARS) {
		written += target.write(data.slice(at, Math.min(end, at + DECODE_CHARS)), written, target.length - written, 'base64');
	}
	const skip = from - quantum * 3;
	if (written < skip + (to - from)) throw new Error(`base64 decoding gave ${written} bytes, expected ${skip + (to - from)}`);
	return target.subarray(skip, skip + (to - from));
}

export function base64Source(data: string): UploadSource {
	const size = base64Size(data);
	return pooled(
		size,
		async function* parts(partSize, pool) {
			for (let at = 0; at < size; at += partSize) yield decodeBase64Range(data, at, Math.min(size, at + partSize), pool.take());
		},
		4,
	);
}

/** Where n8n keeps binaries on disk, in S3 or in its database: streamed, one part assembled at a time. */
export function streamSource(size: number, open: (chunkSize: number) => Promise<AsyncIterable<Buffer>>): UploadSource {
	return pooled(size, async function* parts(partSize, pool) {
		// Chunks of a part's size: from disk each read is one whole part, handed on without a copy. Never
		// more than the file: Node's file streams allocate a whole chunk for every read (and one at the end).
		const stream = await open(Math.min(partSize, Math.max(size, 1)));
		let target: Buffer | undefined;
		let filled = 0;
		for await (const chunk of stream) {
			let rest = chunk;
			if (!target && rest.length === partSize) {
				yield rest;
				continue;
			}
			while (rest.length > 0) {
				target ??= pool.take();
				const take = Math.min(partSize - filled, rest.length);
				rest.copy(target, filled, 0, take);
				filled += take;
				rest = rest.subarray(take);
				if (filled === partSize) {
					yield target.subarray(0, partSize);
					target = undefined;
					filled = 0;
					if (rest.length === partSize) {
						yield rest;
						rest = rest.subarray(partSize);
					}
				}
			}
		}
		if (target && filled > 0) yield target.subarray(0, filled);
	});
}

async function readHead(input: ItemInput, binary: IBinaryData, size: number): Promise<Buffer> {
	const stream = await input.ctx.helpers.getBinaryStream(binary.id as string, Math.min(HEAD_BYTES, Math.max(size, 1)));
	const chunks: Buffer[] = [];
	let bytes = 0;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		chunks.push(chunk);
		bytes += chunk.length;
		if (bytes >= HEAD_BYTES) break;
	}
	(stream as { destroy?: () => void }).destroy?.();
	return Buffer.concat(chunks).subarray(0, HEAD_BYTES);
}

async function openFile(input: ItemInput, kind: MediaKind, maxBytes: number): Promise<OpenedFile> {
	const label = binaryLabel(kind);
	const property = input.text(binaryParam(kind), label, { required: true, singleLine: true, maxLength: 256 });
	const binaries = input.ctx.getInputData()[input.itemIndex]?.binary ?? {};
	const binary = binaries[property];
	if (!binary) {
		const names = Object.keys(binaries);
		input.fail(
			label,
			`"${property}" is not on the input item`,
			names.length ? `The item has binary fields: ${names.join(', ')}.` : 'The item has no binary data: add a node that reads or downloads the file before this one.',
		);
	}
	let size: number;
	let source: UploadSource;
	// In-memory binaries (n8n 1.x's default mode): canonical base64 is read part by part; anything
	// else (line breaks, URL-safe characters from hand-made binaries) is decoded whole, as n8n does.
	let whole: Buffer | undefined;
	const data = binary.data ?? '';
	if (binary.id) {
		size = (await input.ctx.helpers.getBinaryMetadata(binary.id)).fileSize;
		const id = binary.id;
		source = streamSource(size, async (chunkSize) => (await input.ctx.helpers.getBinaryStream(id, chunkSize)) as AsyncIterable<Buffer>);
	} else if (isCanonicalBase64(data)) {
		source = base64Source(data);
		size = source.size;
	} else {
		whole = Buffer.from(data, 'base64');
		size = whole.length;
		const file = whole;
		source = {
			size,
			async *parts(partSize: number) {
				for (let at = 0; at < file.length; at += partSize) yield file.subarray(at, at + partSize);
			},
		};
	}
	const fileName = (binary.fileName ?? '').trim();
	const what = `${LABEL[kind]} (binary field "${property}"${fileName ? `, ${fileName}` : ''})`;
	if (!Number.isFinite(size) || size <= 0) input.fail(what, 'is an empty file');
	if (size > maxBytes) {
		input.fail(what, `is ${(size / MiB).toFixed(1)} MB, above the limit of ${Math.round(maxBytes / MiB)} MB`, 'Raise Options → Max File Size (MB) if OpenIM\'s storage takes larger files.');
	}
	const head = binary.id
		? await readHead(input, binary, size)
		: whole
			? whole.subarray(0, HEAD_BYTES)
			: decodeBase64Range(data, 0, Math.min(size, HEAD_BYTES), Buffer.allocUnsafe(HEAD_BYTES + 4));
	const declared = (binary.mimeType ?? '').split(';')[0].trim().toLowerCase();
	const sniffed = sniffMimeType(head);
	const mimeType = declared && declared !== 'application/octet-stream' ? declared : (sniffed ?? 'application/octet-stream');
	return {
		property,
		fileName: fileName || `${kind}.${extensionOf(sniffed ?? mimeType)}`,
		mimeType,
		size,
		head,
		source,
	};
}

/** `n8n/<date>/<uuid>/<file name>`: OpenIM names are upserts, so every upload gets its own. */
function objectName(fileName: string): { name: string; uuid: string } {
	const uuid = randomUUID();
	const safe = fileName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(-100) || 'file';
	return { name: `n8n/${new Date().toISOString().slice(0, 10)}/${uuid}/${safe}`, uuid };
}

function thumbnail(width: number, height: number): { width: number; height: number } {
	const scale = Math.min(1, THUMBNAIL_MAX / Math.max(width, height));
	return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * A MediaReader for one item: kinds whose source is "Binary File" are read from the item's binary
 * data (checked now: present, not empty, within the size limit, a readable image for pictures) and
 * queued in `uploads`; the others come from their URL fields.
 */
export async function binaryMedia(input: ItemInput, kinds: MediaKind[], uploads: FileUpload[]): Promise<MediaReader> {
	const options = input.raw('options', {}) as IDataObject;
	const wanted = kinds.filter((kind) => input.raw(sourceParam(kind), 'url') === 'binary');
	if (wanted.length === 0) return urlMedia;
	const maxMB = input.checkInteger(options.maxFileSizeMB ?? DEFAULT_MAX_FILE_MB, 'Max File Size (MB)', { min: 1 });
	const keep = input.boolean('keepUploadedFiles', 'Keep Uploaded Files', false, options);
	const files = new Map<MediaKind, OpenedFile>();
	for (const kind of wanted) files.set(kind, await openFile(input, kind, maxMB * MiB));

	const queue = <T>(kind: MediaKind, file: OpenedFile, element: T, apply: (url: string) => void, uuid: { name: string; uuid: string }) => {
		uploads.push(async (client) => {
			const result = await uploadObject(input.ctx, client, file.source, {
				name: uuid.name,
				contentType: file.mimeType,
				// msg-*: OpenIM's cleanup of message files applies; a custom cause keeps them.
				cause: keep ? 'n8n' : `msg-${kind}`,
				itemIndex: input.itemIndex,
				label: `${LABEL[kind]} (binary field "${file.property}", ${file.fileName})`,
			});
			apply(result.url);
			return { field: LABEL[kind], fileName: file.fileName, mimeType: file.mimeType, size: file.size, url: result.url, uploaded: result.uploaded };
		});
		return element;
	};

	return {
		picture: (item) => {
			const file = files.get('picture');
			if (!file) return readPicture(item);
			const what = `${LABEL.picture} (binary field "${file.property}", ${file.fileName})`;
			const type = sniffMimeType(file.head) ?? '';
			if (!type.startsWith('image/')) {
				item.fail(what, `is not an image (PNG, JPEG, GIF, WebP or BMP)${file.mimeType ? `: its type is ${file.mimeType}` : ''}`, 'Send it as a file message, or convert it to an image first.');
			}
			const size = imageSize(file.head, type) ?? item.fail(what, `is ${type}, but its width and height cannot be read from it`);
			const thumb = thumbnail(size.width, size.height);
			const name = objectName(file.fileName);
			const base = { uuid: name.uuid, type, size: file.size, width: size.width, height: size.height, url: '' };
			const element: PictureElem = { sourcePicture: { ...base }, bigPicture: { ...base }, snapshotPicture: { ...base, ...thumb } };
			file.mimeType = type;
			return queue('picture', file, element, (url) => {
				// Flutter's viewer opens File(sourcePath!) and falls back to the URL: never leave it empty.
				element.sourcePath = url;
				element.sourcePicture.url = url;
				element.bigPicture.url = url;
				element.snapshotPicture.url = `${url}?type=image&width=${thumb.width}&height=${thumb.height}`;
			}, name);
		},
		video: (item) => {
			const file = files.get('video');
			if (!file) return readVideo(item);
			const name = objectName(file.fileName);
			const element: VideoElem = {
				videoUUID: name.uuid,
				videoUrl: '',
				videoType: file.mimeType,
				videoSize: file.size,
				duration: item.integer('videoDuration', 'Video Duration (Seconds)', { required: true, min: 1 }),
				snapshotUrl: item.url('videoSnapshotUrl', 'Video Cover URL', true),
				snapshotWidth: item.integer('videoSnapshotWidth', 'Video Cover Width', { required: true, min: 1 }),
				snapshotHeight: item.integer('videoSnapshotHeight', 'Video Cover Height', { required: true, min: 1 }),
			};
			return queue('video', file, element, (url) => {
				element.videoUrl = url;
				// As for pictures: Flutter's player does File(videoPath!) before falling back to the URL.
				element.videoPath = url;
			}, name);
		},
		file: (item) => {
			const file = files.get('file');
			if (!file) return readFile(item);
			const name = objectName(file.fileName);
			const element: FileElem = {
				uuid: name.uuid,
				sourceUrl: '',
				fileName: item.text('fileName', 'File Name', { singleLine: true, maxLength: 255 }) || file.fileName,
				fileSize: file.size,
			};
			return queue('file', file, element, (url) => (element.sourceUrl = url), name);
		},
		voice: (item) => {
			const file = files.get('voice');
			if (!file) return readVoice(item);
			const name = objectName(file.fileName);
			const element: SoundElem = {
				uuid: name.uuid,
				sourceUrl: '',
				dataSize: file.size,
				duration: item.integer('voiceDuration', 'Voice Duration (Seconds)', { required: true, min: 1 }),
			};
			return queue('voice', file, element, (url) => (element.sourceUrl = url), name);
		},
	};
}

/** The fields for the URL source only (Send and Wait sends no binary files). */
export function withoutBinarySource(properties: INodeProperties[]): INodeProperties[] {
	const sources = new Set(Object.keys(LABEL).flatMap((kind) => [sourceParam(kind as MediaKind), binaryParam(kind as MediaKind)]));
	const options = new Set(uploadOptions.map((option) => option.name));
	return properties
		.filter((property) => !sources.has(property.name))
		.map((property) => {
			const show = { ...(property.displayOptions?.show ?? {}) };
			for (const name of sources) delete show[name];
			const trimmed = property.options && property.type === 'collection'
				? { ...property, options: (property.options as INodeProperties[]).filter((option) => !options.has(option.name)) }
				: property;
			return property.displayOptions ? { ...trimmed, displayOptions: { ...property.displayOptions, show } } : trimmed;
		});
}
