/**
 * OpenIM's object records (the s3 `object` collection: name → stored bytes by hash, with the upload's
 * cause as group) and the uploads in progress, beside the storage that holds the bytes.
 */
import type { ObjectStorage } from './storage';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** minio/aws part limits in the tools library (s3/minio PartLimit). */
const MAX_PART_SIZE = 5 * GiB;
const MAX_NUM_PARTS = 10000;
/** How long an upload and its part signatures stay valid (cont: one day). */
export const UPLOAD_EXPIRE_SECONDS = 24 * 60 * 60;

export interface StoredObject {
	name: string;
	userID: string;
	hash: string;
	key: string;
	size: number;
	contentType: string;
	/** `cause`: OpenIM's cron deletes `msg-*` groups after 180 days. */
	group: string;
	createTime: number;
}

export interface PendingUpload {
	hash: string;
	size: number;
	partSize: number;
	parts: number;
	key: string;
	expireTime: number;
}

/** The object table of OpenIM's database (s3 `object` collection) plus uploads in progress. */
export class ObjectTable {
	readonly byName = new Map<string, StoredObject>();
	/** hash → storage key of a completed upload. */
	readonly byHash = new Map<string, { key: string; size: number }>();
	readonly uploads = new Map<string, PendingUpload>();

	constructor(readonly storage: ObjectStorage) {}

	clear(): void {
		this.byName.clear();
		this.byHash.clear();
		this.uploads.clear();
	}

	/** PartSize of the tools library's cont controller, with the storage's minimum part. */
	partSizeProblem(size: number): string | undefined {
		if (size <= 0) return 'size must be greater than 0';
		if (size > MAX_PART_SIZE * MAX_NUM_PARTS) return `size must be less than ${MAX_PART_SIZE * MAX_NUM_PARTS}b`;
		return undefined;
	}

	partSize(size: number): number {
		const min = this.storage.minPartSize;
		if (size <= min * MAX_NUM_PARTS) return min;
		return Math.ceil(size / MAX_NUM_PARTS);
	}
}
