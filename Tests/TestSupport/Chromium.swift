import Foundation

/// Headless Chromium screenshots of pages the tests write to disk.
public enum Chromium {
    /// Renders the HTML (or SVG) file at `path` in a `width`×`height` window into `png`;
    /// returns the exit status and output, the page's console messages included (a
    /// Content-Security-Policy violation shows there). `scratch` holds the browser profile.
    public static func screenshot(_ path: String, to png: String, width: Int, height: Int, scratch: String) throws -> (status: Int32, output: String)
    {
        try screenshot(url: "file://" + path, to: png, width: width, height: height, scratch: scratch)
    }

    /// Renders the page at `url` (an `http://` address: the page with the headers it is
    /// served with) as ``screenshot(_:to:width:height:scratch:)`` does.
    public static func screenshot(url: String, to png: String, width: Int, height: Int, scratch: String) throws -> (status: Int32, output: String) {
        try TestStack.run([
            "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-extensions", "--disable-background-networking",
            "--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--window-size=\(width),\(height)", "--user-data-dir=\(scratch)/profile",
            "--virtual-time-budget=5000", "--screenshot=\(png)", url,
        ])
    }
}
