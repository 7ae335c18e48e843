// Growth: CompleteLayerUpload for a big and a small layer (no re-read: the time should not grow with the layer).
import { startEcr } from "./processes";
import type { Row } from "./row";
import { Layer, pushRaw } from "./uploads";

export async function growth(smallLayer: number, bigCompleteMs: number): Promise<Row[]> {
  const proc = await startEcr({ fsync: true });
  let smallCompleteMs: number;
  try {
    const times = [];
    for (let i = 0; i < 3; i++) times.push((await pushRaw(proc.url, new Layer(smallLayer, 20 * 1024 * 1024))).completeMs);
    smallCompleteMs = times.sort((a, b) => a - b)[1];
  } finally {
    await proc.stop();
  }
  const completeRatio = bigCompleteMs / smallCompleteMs;
  return [
    { measure: `CompleteLayerUpload, ${smallLayer / 1024 / 1024} MiB layer`, value: `${smallCompleteMs.toFixed(1)} ms` },
    { measure: "CompleteLayerUpload, the benchmark's big layer", value: `${bigCompleteMs.toFixed(1)} ms`, ratio: `${completeRatio.toFixed(2)}×`, target: "≤ 2×", ok: completeRatio <= 2 },
  ];
}
