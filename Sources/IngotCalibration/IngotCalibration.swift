/// Module marker for `IngotCalibration`; see docs in Formats/ and the CHANGELOG for what lives here.
public enum IngotCalibrationModule {
    public static let name = "IngotCalibration"
}
