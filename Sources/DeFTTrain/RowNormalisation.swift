import COpenBLAS
import DeFT

/// ẑ = z / max(‖z‖, 1e-12) per row (`F.normalize`), forward with the norms kept, and backward.
public enum RowNormalisation {
    public static func forward(_ z: Matrix) -> (normalised: Matrix, norms: [Float]) {
        GroupScore.normalise(z)
    }

    /// ∂L/∂z from ∂L/∂ẑ: `(g − ẑ(ẑ·g)) / ‖z‖`.
    static func backward(normalised zn: Matrix, norms: [Float], gradient: Matrix) -> Matrix {
        var out = gradient
        let d = zn.cols
        zn.storage.withUnsafeBufferPointer { zp in
            out.storage.withUnsafeMutableBufferPointer { gp in
                for r in 0..<zn.rows {
                    let u = zp.baseAddress! + r * d, g = gp.baseAddress! + r * d
                    let dot = cblas_sdot(blasint(d), u, 1, g, 1)
                    cblas_saxpy(blasint(d), -dot, u, 1, g, 1)
                    cblas_sscal(blasint(d), 1 / norms[r], g, 1)
                }
            }
        }
        return out
    }
}
