/// ArborSpec reads YAML workflow files into `Workflow` values; errors carry file:line:column.
public enum ArborSpecModule {}
