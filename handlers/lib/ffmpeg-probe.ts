// What ffprobe says about a file: streams (validated JSON), every packet of the video stream
// (frames, keyframes, time span) and packet counts, all without decoding.
import { z } from 'zod';
import { run } from './ffmpeg-run';
import { PacketTally, type VideoPackets } from './packet-tally';

export type { VideoPackets } from './packet-tally';

const numeric = z.union([z.string(), z.number()]).transform((v) => Number(v));

const streamSchema = z.object({
  index: z.number(),
  codec_type: z.string(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  time_base: z.string().optional(),
  duration: numeric.optional(),
  nb_frames: numeric.optional(),
  sample_rate: numeric.optional(),
  channels: z.number().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ side_data_type: z.string().optional(), rotation: numeric.optional() })).optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: numeric.optional(),
      size: numeric.optional(),
    })
    .optional(),
});

export type ProbeStream = z.infer<typeof streamSchema>;
export type ProbeOutput = z.infer<typeof probeSchema>;

/** `-show_format -show_streams` as validated JSON. Throws FfmpegFailed when ffprobe cannot read the file. */
export async function probe(path: string): Promise<ProbeOutput> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(`ffprobe printed invalid JSON for ${path}: ${stdout.slice(0, 200)}`);
  }
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new Error(`Unexpected ffprobe output for ${path}: ${parsed.error.message}`);
  return parsed.data;
}

/** "30000/1001" → 29.97…; undefined for "0/0" or garbage. */
export function parseRational(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const [n, d = '1'] = text.split('/');
  const value = Number(n) / Number(d);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Clockwise degrees (0, 90, 180, 270) a player turns the picture: phones store portrait video as
 * landscape frames plus this. Older files carry a `rotate` tag; newer ffprobe reports the display
 * matrix, whose rotation is counter-clockwise.
 */
export function displayRotation(stream: ProbeStream): number {
  const tag = stream.tags?.rotate;
  const matrix = stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const clockwise = tag !== undefined ? Number(tag) : matrix !== undefined ? -matrix : 0;
  if (!Number.isFinite(clockwise)) return 0;
  return ((Math.round(clockwise) % 360) + 360) % 360;
}

/** The first real video stream: cover art in audio files shows up as a one-frame "attached picture". */
export function mainVideoStream(p: ProbeOutput): ProbeStream | undefined {
  return p.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
}

export function mainAudioStream(p: ProbeOutput): ProbeStream | undefined {
  return p.streams.find((s) => s.codec_type === 'audio');
}

/**
 * Reads (without decoding) every packet of the video stream with ffprobe: frame count, keyframe
 * positions, time span and edit-list discards. `streamIndex` is the absolute stream index from probe().
 */
export async function videoPackets(path: string, streamIndex: number): Promise<VideoPackets> {
  const tally = new PacketTally();
  const { stderrTail } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', String(streamIndex), '-show_entries', 'packet=pts_time,duration_time,flags', '-of', 'csv=p=0', path],
    {
      tailLines: 5,
      onLine: (line) => {
        // csv=p=0 with these entries prints: pts_time,duration_time,flags
        const [ptsText, durText, flags] = line.split(',');
        if (flags === undefined) return;
        tally.add({ pts: Number(ptsText), duration: Number(durText), key: flags.includes('K'), discard: flags.includes('D') });
      },
    },
  );
  return tally.result(stderrTail);
}

/** Packets per stream type, counted by ffprobe without decoding. */
export async function countPackets(path: string): Promise<{ video: number; audio: number }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,nb_read_packets', '-of', 'json', path]);
  const parsed = z
    .object({ streams: z.array(z.object({ codec_type: z.string(), nb_read_packets: numeric.optional() })).default([]) })
    .parse(JSON.parse(stdout));
  const sum = (type: string) => parsed.streams.filter((s) => s.codec_type === type).reduce((n, s) => n + (s.nb_read_packets ?? 0), 0);
  return { video: sum('video'), audio: sum('audio') };
}
