"""The notification pipeline's pages, one module per area: the inbox, the settings (and
unsubscribe), following and muting an initiative. They only read the pipeline and call
its functions.
"""
