// The libFuzzer driver of `scripts/fuzz`, built only with `-sanitize=fuzzer` (TM_FUZZ=1).
// `tm-fuzz --target=NAME [libFuzzer flags] [corpus dirs]` fuzzes one target of
// `FuzzTarget.all`; `tm-fuzz --list` prints each target's name and maximum input length.
// libFuzzer ignores flags that start with `--`, so `--target=` passes through it untouched.
import FuzzTargets

#if canImport(Glibc)
import Glibc
#endif

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

if CommandLine.arguments.contains("--list") {
    for target in FuzzTarget.all { print(target.name, target.maximumLength) }
    exit(0)
}
guard let name = CommandLine.arguments.first(where: { $0.hasPrefix("--target=") })?.dropFirst("--target=".count),
    let selected = FuzzTarget.named(String(name))
else {
    print("usage: tm-fuzz --target=NAME [libFuzzer flags] [corpus]; targets: \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
    exit(2)
}
nonisolated(unsafe) var current = selected

/// Runs one input through the selected target.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    current.run(size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv) { data, size in testOneInput(data, size) })
