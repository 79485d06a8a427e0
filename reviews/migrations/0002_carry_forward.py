# Carry-forward of comments to the next iteration (issue 5).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='comment',
            name='carried_from',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='carried_to', to='reviews.comment'),
        ),
        migrations.AddField(
            model_name='comment',
            name='anchoring',
            field=models.CharField(choices=[('original', 'Made on this iteration'), ('exact', 'Same words, same section'), ('fuzzy', 'Similar words, same section'), ('moved', 'Found in another section'), ('lost', 'Passage removed')], default='original', max_length=10),
        ),
        migrations.AddField(
            model_name='comment',
            name='addressed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='comment',
            name='addressed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='comment',
            constraint=models.CheckConstraint(condition=models.Q(('anchoring__in', ['original', 'exact', 'fuzzy', 'moved', 'lost'])), name='comment_valid_anchoring'),
        ),
    ]
