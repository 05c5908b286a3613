/// Module marker for `IngotInference`; see docs in Formats/ and the CHANGELOG for what lives here.
public enum IngotInferenceModule {
    public static let name = "IngotInference"
}
