/// Ingot's version, written into the provenance of every file it produces.
public enum IngotVersion {
    public static let string = "0.1.0"
}
