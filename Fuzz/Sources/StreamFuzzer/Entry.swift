// The process entry point. SwiftPM links an executable target with `main`
// defined as `StreamFuzzer_main`, which `-parse-as-library` leaves undefined; this
// defines it and hands control to libFuzzer's driver (`LLVMFuzzerRunDriver`,
// part of libclang_rt.fuzzer), so libFuzzer's own `main` is not needed.

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("StreamFuzzer_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
}
