import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import type { FileElem, PictureElem, SoundElem, VideoElem } from '../../../openim/wire';
import type { ItemInput } from './input';

/**
 * Media elements of OpenIM messages (openim-api.md §2.2), used by OA notifications (by mixType)
 * and by plain media messages. The server validates a present element in full, so each builder
 * demands exactly the fields its validator requires.
 */
export type MediaKind = 'picture' | 'video' | 'file' | 'voice';

const url = (name: string, displayName: string, description: string, placeholder: string, show: IDisplayOptions['show']): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	required: true,
	placeholder,
	description,
	displayOptions: { show },
});

const int = (
	name: string,
	displayName: string,
	defaultValue: number,
	description: string,
	show: IDisplayOptions['show'],
	required = true,
): INodeProperties => ({
	displayName,
	name,
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 0 },
	default: defaultValue,
	required,
	description,
	// A required number starts at 0, which OpenIM's validator refuses: say so before the run does.
	...(required && defaultValue === 0 ? { hint: 'Required: more than 0' } : {}),
	displayOptions: { show },
});

/** Form fields of one media kind, shown only when `show` matches. */
export function mediaFields(kind: MediaKind, show: IDisplayOptions['show']): INodeProperties[] {
	switch (kind) {
		case 'picture':
			return [
				url('pictureUrl', 'Picture URL', 'Public address of the image the app shows on the card', 'https://cdn.example.com/notice.png', show),
				{
					displayName: 'Picture MIME Type',
					name: 'pictureType',
					type: 'string',
					default: 'image/png',
					required: true,
					placeholder: 'image/jpeg',
					description: 'Image type, for example image/png or image/jpeg',
					displayOptions: { show },
				},
				int('pictureWidth', 'Picture Width', 800, 'Width in pixels; the app lays out the card with it before the image loads', show),
				int('pictureHeight', 'Picture Height', 600, 'Height in pixels; the app lays out the card with it before the image loads', show),
				int('pictureSize', 'Picture Size (Bytes)', 0, 'File size in bytes (optional)', show, false),
				{
					displayName: 'Thumbnail URL',
					name: 'pictureSnapshotUrl',
					type: 'string',
					default: '',
					placeholder: 'https://cdn.example.com/notice-small.png',
					description:
						'Smaller image shown in lists. Empty uses the picture URL. The Flutter app drops its query string, so a signed URL (…?X-Amz-Signature=…) breaks there.',
					displayOptions: { show },
				},
			];
		case 'video':
			return [
				url('videoUrl', 'Video URL', 'Public address of the video', 'https://cdn.example.com/welcome.mp4', show),
				{
					displayName: 'Video MIME Type',
					name: 'videoType',
					type: 'string',
					default: 'video/mp4',
					required: true,
					description: 'Video type, for example video/mp4',
					displayOptions: { show },
				},
				int('videoSize', 'Video Size (Bytes)', 0, 'File size in bytes; OpenIM requires it', show),
				int('videoDuration', 'Video Duration (Seconds)', 0, 'Length in seconds; OpenIM requires it', show),
				url('videoSnapshotUrl', 'Video Cover URL', 'Public address of the cover image shown before playback', 'https://cdn.example.com/welcome.jpg', show),
				int('videoSnapshotWidth', 'Video Cover Width', 640, 'Cover width in pixels', show),
				int('videoSnapshotHeight', 'Video Cover Height', 360, 'Cover height in pixels', show),
			];
		case 'file':
			return [
				url('fileUrl', 'File URL', 'Public address the app downloads the file from', 'https://oa.example.com/files/handbook.pdf', show),
				{
					displayName: 'File Name',
					name: 'fileName',
					type: 'string',
					default: '',
					placeholder: 'handbook.pdf',
					description: 'Name the app shows. Empty uses the last part of the file URL.',
					displayOptions: { show },
				},
				int('fileSize', 'File Size (Bytes)', 0, 'File size in bytes; OpenIM requires it', show),
			];
		case 'voice':
			return [
				url('voiceUrl', 'Voice URL', 'Public address of the audio clip', 'https://cdn.example.com/announcement.m4a', show),
				int('voiceDuration', 'Voice Duration (Seconds)', 0, 'Length in seconds, at least 1; OpenIM requires it', show),
				int('voiceSize', 'Voice Size (Bytes)', 0, 'File size in bytes (optional)', show, false),
			];
	}
}

export function readPicture(input: ItemInput): PictureElem {
	const pictureUrl = input.url('pictureUrl', 'Picture URL', true);
	const type = input.text('pictureType', 'Picture MIME Type', { required: true, singleLine: true, maxLength: 100 });
	const width = input.integer('pictureWidth', 'Picture Width', { required: true, min: 1 });
	const height = input.integer('pictureHeight', 'Picture Height', { required: true, min: 1 });
	const size = input.integer('pictureSize', 'Picture Size (Bytes)', { min: 0 });
	const snapshotUrl = input.url('pictureSnapshotUrl', 'Thumbnail URL') || pictureUrl;
	const base = { type, width, height, size };
	return {
		// Flutter's full-screen viewer opens File(sourcePath!) and throws on null; with a path that is
		// no local file it falls back to the URL (openim-clients.md §2).
		sourcePath: pictureUrl,
		sourcePicture: { ...base, url: pictureUrl },
		bigPicture: { ...base, url: pictureUrl },
		snapshotPicture: { ...base, url: snapshotUrl },
	};
}

export function readVideo(input: ItemInput): VideoElem {
	const videoUrl = input.url('videoUrl', 'Video URL', true);
	return {
		// As sourcePath for pictures: Flutter's player does File(videoPath!) before falling back to the URL.
		videoPath: videoUrl,
		videoUrl,
		videoType: input.text('videoType', 'Video MIME Type', { required: true, singleLine: true, maxLength: 100 }),
		videoSize: input.integer('videoSize', 'Video Size (Bytes)', { required: true, min: 1 }),
		duration: input.integer('videoDuration', 'Video Duration (Seconds)', { required: true, min: 1 }),
		snapshotUrl: input.url('videoSnapshotUrl', 'Video Cover URL', true),
		snapshotWidth: input.integer('videoSnapshotWidth', 'Video Cover Width', { required: true, min: 1 }),
		snapshotHeight: input.integer('videoSnapshotHeight', 'Video Cover Height', { required: true, min: 1 }),
	};
}

export function readFile(input: ItemInput): FileElem {
	const sourceUrl = input.url('fileUrl', 'File URL', true);
	let fileName = input.text('fileName', 'File Name', { singleLine: true, maxLength: 255 });
	if (fileName === '') {
		const last = new URL(sourceUrl).pathname.split('/').pop() ?? '';
		try {
			fileName = decodeURIComponent(last);
		} catch {
			// A stray "%" in the URL: use the name as written.
			fileName = last;
		}
		if (fileName === '') input.fail('File Name', 'is empty and the file URL has no file name to use');
	}
	return {
		sourceUrl,
		fileName,
		fileSize: input.integer('fileSize', 'File Size (Bytes)', { required: true, min: 1 }),
	};
}

export function readVoice(input: ItemInput): SoundElem {
	return {
		sourceUrl: input.url('voiceUrl', 'Voice URL', true),
		duration: input.integer('voiceDuration', 'Voice Duration (Seconds)', { required: true, min: 1 }),
		dataSize: input.integer('voiceSize', 'Voice Size (Bytes)', { min: 0 }),
	};
}
