/// Module marker for `IngotQuant`; see docs in Formats/ and the CHANGELOG for what lives here.
public enum IngotQuantModule {
    public static let name = "IngotQuant"
}
