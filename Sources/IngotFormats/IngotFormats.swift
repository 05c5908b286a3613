/// Module marker for `IngotFormats`; see docs in Formats/ and the CHANGELOG for what lives here.
public enum IngotFormatsModule {
    public static let name = "IngotFormats"
}
