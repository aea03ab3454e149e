"""The grid tree page (网格管理) with its area dialog and tree model."""
