// Tests for this target live beside this file (one file per concept).
import Testing
