import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';

// jsqr is CommonJS with `exports.default`: under Node's ESM interop the function sits one level down.
const jsQR = (jsQRModule as unknown as { default: typeof import('jsqr')['default'] }).default;

/**
 * Draws a QR image in the terminal. We only have WeCom's picture, not what it encodes, so we decode it
 * (jsQR) and draw the same content again (qrcode): the terminal code scans to exactly what WeCom made.
 * Returns undefined when the image is not a PNG we can read.
 */
export async function terminalQr(png: Buffer): Promise<string | undefined> {
  try {
    const image = PNG.sync.read(png);
    const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
    if (!decoded) return undefined;
    return await QRCode.toString(decoded.data, { type: 'terminal', small: true });
  } catch {
    return undefined;
  }
}
