// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way: deft → DeFTViz → DeFTMedia, DeFTEval → DeFTTrain → DeFT → COpenBLAS.
// The engine never imports the terminal; the view never calls BLAS.
let package = Package(
    name: "deft",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "deft", targets: ["deft"]),
        .library(name: "DeFT", targets: ["DeFT"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // System libraries: a module map and a one-line shim each.
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        .systemLibrary(name: "CGzip", path: "Sources/CGzip", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Pixels → terminal cells (symbols and colours chosen perceptually) and sixel/kitty images.
        .systemLibrary(name: "CChafa", path: "Sources/CChafa", pkgConfig: "chafa",
                       providers: [.apt(["libchafa-dev", "libglib2.0-dev"])]),
        // Our C: libpng/libjpeg behind setjmp, error codes and messages out.
        .target(name: "CImageCodec", dependencies: ["CPNG", "CJPEG"], path: "Sources/CImageCodec"),
        // Our C: a transformer's element-wise kernels (exp, softmax rows, GELU), cloned for AVX-512, AVX2 and
        // baseline x86-64 and picked at load time.
        .target(name: "CTransformerKernels", path: "Sources/CTransformerKernels"),

        // Our C++: faiss's k-means and centre search (the IVF structure of approximate text neighbours)
        // behind one extern "C" function; Debian's libfaiss-dev has the C API's headers but not its library.
        .target(name: "CFaiss", path: "Sources/CFaiss",
                linkerSettings: [.linkedLibrary("faiss"), .linkedLibrary("gomp"), .linkedLibrary("stdc++")]),

        .target(name: "DeFT", dependencies: ["COpenBLAS", "CFaiss"], exclude: ["DeFT.md"]),
        .target(name: "DeFTTrain", dependencies: ["DeFT", "COpenBLAS"]),
        .target(name: "DeFTMedia", dependencies: ["DeFT", "DeFTEncoders", "CImageCodec", "CGzip"]),
        // Real pretrained encoders (DINOv2-S/14, all-MiniLM-L6-v2) on DeFT's matrix core; the model
        // cache (download, checksum, unpack, ONNX → safetensors) lives beside them.
        .target(name: "DeFTEncoders", dependencies: [
            "DeFT", "CTransformerKernels",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        ]),
        .target(name: "DeFTEval", dependencies: ["DeFT", "DeFTTrain"]),
        .target(name: "DeFTViz", dependencies: ["DeFT", "DeFTMedia", "DeFTTrain", "DeFTEval", "CNcursesw", "CChafa"]),
        .executableTarget(name: "deft", dependencies: [
            "DeFT", "DeFTMedia", "DeFTEncoders", "DeFTViz", "DeFTTrain", "DeFTEval",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The parsers' fuzz targets: a corpus replayer normally, a libFuzzer binary with -DFUZZING (.ci/fuzz).
        .executableTarget(name: "deft-fuzz", dependencies: ["DeFT", "DeFTMedia", "DeFTTrain", "DeFTEval", "DeFTEncoders"], path: "Tests/Fuzz", exclude: ["corpus"]),

        .testTarget(name: "DeFTTests", dependencies: ["DeFT"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DeFTTrainTests", dependencies: ["DeFTTrain", "DeFT", "DeFTMedia"]),
        .testTarget(name: "DeFTEvalTests", dependencies: ["DeFTEval", "DeFT"]),
        .testTarget(name: "DeFTMediaTests", dependencies: ["DeFTMedia", "CImageCodec"]),
        .testTarget(name: "DeFTEncodersTests", dependencies: ["DeFTEncoders", "DeFT", "DeFTMedia"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DeFTVizTests", dependencies: ["DeFTViz", "DeFTMedia", "DeFTEval", "DeFT"]),
        .testTarget(name: "EndToEndTests", dependencies: ["DeFT", "DeFTViz"]),
    ],
    cxxLanguageStandard: .cxx17
)
