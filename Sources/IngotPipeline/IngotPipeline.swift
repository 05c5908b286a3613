/// Module marker for `IngotPipeline`; see docs in Formats/ and the CHANGELOG for what lives here.
public enum IngotPipelineModule {
    public static let name = "IngotPipeline"
}
