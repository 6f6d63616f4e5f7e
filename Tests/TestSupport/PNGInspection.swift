import Foundation

/// What a test can tell of a PNG without an image library: its size, and how many distinct
/// rows it has (each row's filtered bytes, sampled): a blank page has one, a drawn one many.
public enum PNGInspection {
    /// Width, height and distinct sampled rows of the PNG at `path` ((0, 0, 0) when unreadable).
    public static func inspect(_ path: String) throws -> (width: Int, height: Int, rows: Int) {
        let script = """
            import sys, zlib, struct
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
            pos, idat = 8, b''
            while pos < len(data):
                length, kind = struct.unpack('>I4s', data[pos:pos + 8])
                chunk = data[pos + 8:pos + 8 + length]
                if kind == b'IHDR':
                    width, height, depth, colour = struct.unpack('>IIBB', chunk[:10])
                    bpp = {2: 3, 6: 4}[colour]
                elif kind == b'IDAT':
                    idat += chunk
                pos += 12 + length
            raw = zlib.decompress(idat)
            stride = width * bpp
            rows = set(raw[r * (stride + 1) + 1:r * (stride + 1) + 1 + stride][::7] for r in range(height))
            print(width, height, len(rows))
            """
        let result = try TestStack.run(["python3", "-c", script, path])
        let parts = result.output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard parts.count == 3 else { return (0, 0, 0) }
        return (parts[0], parts[1], parts[2])
    }
}
