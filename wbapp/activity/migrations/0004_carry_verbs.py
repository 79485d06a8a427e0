# Verbs for carried and addressed comments (issue 5).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activity', '0003_review_session_verbs'),
    ]

    operations = [
        migrations.AlterField(
            model_name='activity',
            name='verb',
            field=models.CharField(choices=[('team_created', 'created the team'), ('member_invited', 'invited a member'), ('member_joined', 'joined the team'), ('role_changed', "changed a member's role"), ('member_removed', 'removed a member'), ('member_left', 'left the team'), ('initiative_created', 'created the initiative'), ('initiative_updated', 'updated the initiative'), ('document_created', 'started a document'), ('iteration_saved', 'saved an iteration'), ('iteration_restored', 'restored an iteration'), ('session_scheduled', 'scheduled a review session'), ('session_rescheduled', 'rescheduled a review session'), ('session_cancelled', 'cancelled a review session'), ('session_started', 'started the reading'), ('session_discussion', 'started the discussion'), ('decision_recorded', 'recorded a decision'), ('comment_added', 'commented'), ('reply_added', 'replied to a comment'), ('action_item_assigned', 'assigned an action item'), ('comment_addressed', 'addressed a comment'), ('comments_carried', 'carried comments forward')], max_length=40),
        ),
    ]
