"""Models, values, the Dataset the loader builds."""
