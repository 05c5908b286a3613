/// Module marker for `IngotModel`; see docs in Formats/ and the CHANGELOG for what lives here.
public enum IngotModelModule {
    public static let name = "IngotModel"
}
