"""skywarden.weather"""
