"""skywarden.flight"""
