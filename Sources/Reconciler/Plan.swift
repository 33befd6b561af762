public enum ReconcilerPlaceholder {}
