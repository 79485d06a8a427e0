# Notifications about one thing fold into one row while unread (issue 24): what it is
# about (topic), how many activities it stands for (count), and the partial index the
# fan-out looks the foldable row up by.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activity', '0006_notification_user_no_extra_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='count',
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name='notification',
            name='topic',
            field=models.CharField(blank=True, default='', max_length=40),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(condition=models.Q(('delivery__isnull', True), ('read_at__isnull', True), models.Q(('topic', ''), _negated=True)), fields=['user', 'topic'], name='notification_foldable'),
        ),
    ]
