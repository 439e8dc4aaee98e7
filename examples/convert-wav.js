'use strict';

// Converts a WAV file to another sample rate, keeping its sample format (PCM s16
// or IEEE float 32) and channel count.
// Run: node examples/convert-wav.js in.wav out.wav 16000

const fs = require('node:fs');
const { resample } = require('rtc-resampler');

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;

// A WAV file is a RIFF container: a 12-byte header, then chunks (4-byte id,
// 4-byte little-endian size, data, a pad byte if the size is odd). Besides
// `fmt ` and `data`, files often carry others (LIST, fact, bext…): skip them.
function readWav(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error(`${file}: not a RIFF/WAVE file`);
  }
  let fmt = null;
  let data = null;
  const skipped = [];
  for (let pos = 12; pos + 8 <= buf.length; ) {
    const id = buf.toString('latin1', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = buf.subarray(pos + 8, Math.min(pos + 8 + size, buf.length)); // a truncated file keeps what is there
    if (id === 'fmt ') fmt = body;
    else if (id === 'data') data = body;
    else skipped.push(id.trim());
    pos += 8 + size + (size % 2);
  }
  if (!fmt || !data) throw new Error(`${file}: no ${fmt ? 'data' : 'fmt '} chunk`);

  let format = fmt.readUInt16LE(0);
  const channels = fmt.readUInt16LE(2);
  const rate = fmt.readUInt32LE(4);
  const bits = fmt.readUInt16LE(14);
  // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its SubFormat GUID.
  if (format === FORMAT_EXTENSIBLE && fmt.length >= 26) format = fmt.readUInt16LE(24);
  let type;
  if (format === FORMAT_PCM && bits === 16) type = 's16';
  else if (format === FORMAT_FLOAT && bits === 32) type = 'f32';
  else throw new Error(`${file}: unsupported format ${format} with ${bits} bits (PCM 16-bit or float 32-bit only)`);

  // Copy into a fresh buffer: typed arrays need an aligned offset, and a chunk can start anywhere.
  // WAV samples are little-endian, like every platform this package ships for.
  const frameBytes = (channels * bits) / 8;
  const bytes = new Uint8Array(data.subarray(0, data.length - (data.length % frameBytes)));
  const samples = type === 's16' ? new Int16Array(bytes.buffer) : new Float32Array(bytes.buffer);
  return { rate, channels, type, format, bits, samples, skipped };
}

function writeWav(file, { rate, channels, type, samples }) {
  const bits = type === 's16' ? 16 : 32;
  const blockAlign = (channels * bits) / 8;
  const frames = samples.length / channels;
  // Non-PCM formats carry cbSize in `fmt ` and a `fact` chunk with the frame count.
  const float = type === 'f32';
  const fmtSize = float ? 18 : 16;
  const factSize = float ? 12 : 0;
  const dataBytes = samples.byteLength;
  const header = Buffer.alloc(12 + 8 + fmtSize + factSize + 8);
  let p = header.write('RIFF', 0, 'latin1');
  p = header.writeUInt32LE(header.length - 8 + dataBytes, p); // the file's size after these 8 bytes
  p += header.write('WAVEfmt ', p, 'latin1');
  p = header.writeUInt32LE(fmtSize, p);
  p = header.writeUInt16LE(float ? FORMAT_FLOAT : FORMAT_PCM, p);
  p = header.writeUInt16LE(channels, p);
  p = header.writeUInt32LE(rate, p);
  p = header.writeUInt32LE(rate * blockAlign, p); // bytes per second
  p = header.writeUInt16LE(blockAlign, p);
  p = header.writeUInt16LE(bits, p);
  if (float) {
    p = header.writeUInt16LE(0, p); // cbSize: no extension
    p += header.write('fact', p, 'latin1');
    p = header.writeUInt32LE(4, p);
    p = header.writeUInt32LE(frames, p);
  }
  p += header.write('data', p, 'latin1');
  header.writeUInt32LE(dataBytes, p);
  const body = Buffer.from(samples.buffer, samples.byteOffset, dataBytes);
  fs.writeFileSync(file, Buffer.concat([header, body]));
}

function main() {
  const [input, output, rateArg] = process.argv.slice(2);
  if (!input || !output || !rateArg) {
    console.error('usage: node examples/convert-wav.js in.wav out.wav <output rate>');
    process.exit(2);
  }
  const outputRate = Number(rateArg);
  const wav = readWav(input);
  const inFrames = wav.samples.length / wav.channels;
  const skipped = wav.skipped.length ? wav.skipped.join(', ') : 'none';
  console.log(
    `in: ${input}: ${wav.rate} Hz, ${wav.channels} ch, ${wav.type}, ${inFrames} frames ` +
      `(${((inFrames / wav.rate) * 1000).toFixed(1)} ms), skipped chunks: ${skipped}`,
  );
  // One call for the whole file: the output has exactly round(frames · outputRate / inputRate) frames.
  // (A long file or a server would use resampleAsync, which runs off the event loop.)
  const samples = resample(wav.samples, {
    inputRate: wav.rate,
    outputRate,
    channels: wav.channels,
    input: wav.type,
  });
  writeWav(output, { rate: outputRate, channels: wav.channels, type: wav.type, samples });
  const outFrames = samples.length / wav.channels;
  console.log(
    `out: ${output}: ${outputRate} Hz, ${wav.channels} ch, ${wav.type}, ${outFrames} frames ` +
      `(${((outFrames / outputRate) * 1000).toFixed(1)} ms), ${samples.byteLength} data bytes`,
  );
}

try {
  main();
} catch (err) {
  // Bad files and rates get one line, not a stack trace.
  console.error(`convert-wav: ${err.message}`);
  process.exit(1);
}
