"""motcua — một cửa: online public services for Vietnam."""
